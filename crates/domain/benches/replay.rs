//! Rebuilding the world from about a million events: `World::apply` alone, decoding from the
//! stored parts (`Event::from_parts` from JSON text), and both together.

use std::hint::black_box;

use chrono::{Days, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use guohe_domain::*;
use guohe_policy::Citation;

const BASES: usize = 20_000;
const YEARS: i32 = 24;

fn cite(s: &str) -> Vec<Citation> {
    vec![Citation::parse(s).unwrap()]
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Bases carried over in 2000 under the Hubei policy, each filing a report and getting an
/// annual grade every year, with periodic evaluations and the odd major change.
fn events() -> Vec<Event> {
    let mut out = Vec::with_capacity(BASES * (YEARS as usize * 2 + 12));
    let dept = "dept:zhang".to_string();
    for i in 0..BASES {
        let id = format!("HB-{i:06}");
        let stream = format!("base/{id}");
        out.push(Event {
            stream: stream.clone(),
            on: date(2000, 1, 3),
            actor: dept.clone(),
            articles: cite("hubei-2022:30"),
            kind: EventKind::BaseCarriedOver(BaseCarriedOver {
                base: id.clone(),
                policy: "hubei-2022".into(),
                official_name: format!("湖北省领域{}国际科技合作基地", i % 40),
                unit_name: format!("依托单位{i}"),
                uscc: format!("91420100MA{i:07}X"),
                domain: format!("领域{}", i % 40),
                old_category: None,
                category: None,
                director: format!("负责人{i}"),
                partner_country: Some("DE".into()),
                recognised_on: date(2000, 1, 3),
                national: true,
                legacy: false,
                evaluated: true,
                evaluation_anchor: date(2000, 1, 3),
            }),
        });
        for y in 2000..2000 + YEARS {
            let submitted_on = date(y + 1, 1, 5 + (i % 10) as u32);
            out.push(Event {
                stream: stream.clone(),
                on: submitted_on,
                actor: format!("unit:{i}"),
                articles: cite("hubei-2022:22"),
                kind: EventKind::AnnualReportSubmitted(AnnualReportSubmitted {
                    base: id.clone(),
                    year: y,
                    submitted_on,
                    due_on: date(y + 1, 1, 15),
                    late: false,
                    recommender_copy: true,
                }),
            });
            out.push(Event {
                stream: stream.clone(),
                on: date(y + 1, 3, 1),
                actor: dept.clone(),
                articles: cite("hubei-2022:22"),
                kind: EventKind::AnnualAssessmentRecorded(AnnualAssessmentRecorded {
                    base: id.clone(),
                    year: y,
                    grade: if (i + y as usize).is_multiple_of(7) {
                        "unqualified".into()
                    } else {
                        "qualified".into()
                    },
                    missing_report: false,
                }),
            });
            if (y - 2000) % 3 == 2 {
                let due_on = date(2000, 1, 3)
                    .checked_add_days(Days::new(365 * (y - 1999) as u64))
                    .unwrap();
                out.push(Event {
                    stream: stream.clone(),
                    on: due_on,
                    actor: "system:clock".into(),
                    articles: cite("hubei-2022:24"),
                    kind: EventKind::EvaluationDue(EvaluationDue {
                        base: id.clone(),
                        due_on,
                        cycle: ((y - 1999) / 3) as u32,
                    }),
                });
                out.push(Event {
                    stream: stream.clone(),
                    on: due_on,
                    actor: dept.clone(),
                    articles: cite("hubei-2022:24"),
                    kind: EventKind::EvaluationRecorded(EvaluationRecorded {
                        base: id.clone(),
                        grade: "qualified".into(),
                        re_evaluation: false,
                    }),
                });
            }
        }
        if i % 5 == 0 {
            out.push(Event {
                stream: stream.clone(),
                on: date(2010, 6, 1),
                actor: format!("unit:{i}"),
                articles: cite("hubei-2022:23"),
                kind: EventKind::MajorChangeFiled(MajorChangeFiled {
                    base: id.clone(),
                    change: "C1".into(),
                    kind: "director".into(),
                    details: MajorChangeDetails {
                        description: "负责人变更".into(),
                        director: Some(format!("新负责人{i}")),
                        ..Default::default()
                    },
                    approval: vec![guohe_policy::model::Approver::Department],
                    informed: vec![guohe_policy::model::Approver::Recommender],
                }),
            });
            out.push(Event {
                stream,
                on: date(2010, 6, 20),
                actor: dept.clone(),
                articles: cite("hubei-2022:23"),
                kind: EventKind::MajorChangeApproved(MajorChangeApproved {
                    base: id.clone(),
                    change: "C1".into(),
                    by: guohe_policy::model::Approver::Department,
                }),
            });
        }
    }
    out
}

/// What the store hands back: stream, date, actor, articles, kind name and the payload as JSON.
struct Stored {
    stream: String,
    on: NaiveDate,
    actor: String,
    articles: Vec<String>,
    kind: &'static str,
    payload: String,
}

fn rebuild(c: &mut Criterion) {
    let events = events();
    eprintln!("{} events", events.len());
    let stored: Vec<Stored> = events
        .iter()
        .map(|e| Stored {
            stream: e.stream.clone(),
            on: e.on,
            actor: e.actor.clone(),
            articles: e.article_texts(),
            kind: e.kind_name(),
            payload: e.payload().to_string(),
        })
        .collect();

    let mut g = c.benchmark_group("replay");
    g.sample_size(10);
    g.bench_function("apply", |b| {
        b.iter(|| {
            let mut w = World::new();
            for e in &events {
                w.apply(e);
            }
            black_box(w.stream_version("base/HB-000001"))
        })
    });
    g.bench_function("decode_from_parts", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for s in &stored {
                let payload: serde_json::Value = serde_json::from_str(&s.payload).unwrap();
                let e =
                    Event::from_parts(s.stream.as_str(), s.on, s.actor.as_str(), &s.articles, s.kind, payload).unwrap();
                n += e.articles.len();
            }
            black_box(n)
        })
    });
    g.bench_function("decode_and_apply", |b| {
        b.iter(|| {
            let mut w = World::new();
            for s in &stored {
                let payload: serde_json::Value = serde_json::from_str(&s.payload).unwrap();
                w.apply(
                    &Event::from_parts(s.stream.as_str(), s.on, s.actor.as_str(), &s.articles, s.kind, payload)
                        .unwrap(),
                );
            }
            black_box(w.stream_version("base/HB-000001"))
        })
    });
    g.finish();
}

criterion_group!(benches, rebuild);
criterion_main!(benches);
