//! The work queue view against the list the dashboard computed over the whole world before it
//! was a view, on a log made by the real generator and folded in event by event; its pages
//! against the whole list; and the annual report's due date as the articles set it.

use chrono::NaiveDate;
use guohe_domain::{
    AnnualReportSubmitted, ApplicationStatus, BaseCarriedOver, BaseStatus, Event, EventKind, RectificationOrdered,
    World,
};
use guohe_policy::PolicySet;

use super::due_list::*;
use crate::Guohe;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// What the dashboard listed before the view existed (`due_items` over the world), in the
/// view's order: (kind, subject, due, overdue). Written again here from that code, kind by
/// kind, so that the view is checked against an independent computation. Two readings changed:
/// a round open today is listed whether or not it has applications yet, and a report whose
/// deadline passed before the base entered the register is not asked for.
fn listed_by_scan(world: &World, policies: &PolicySet, today: NaiveDate) -> Vec<(bool, NaiveDate, String, DueKind)> {
    use chrono::Datelike;
    let mut out = Vec::new();
    for a in world.applications() {
        if a.status == ApplicationStatus::UnderReview
            && !a.experts.is_empty()
            && a.completed_reviews() == a.experts.len()
        {
            out.push((
                false,
                today,
                format!("{} {}", a.id, a.facts.unit.name),
                DueKind::Decision,
            ));
        }
    }
    for n in world.notices() {
        for o in n.objections.values().filter(|o| o.resolution.is_none()) {
            out.push((
                today > n.ends_on,
                n.ends_on,
                format!("{} · {}", n.id, o.application),
                DueKind::Objection,
            ));
        }
        let waiting = n
            .applications
            .iter()
            .filter_map(|a| world.application(a))
            .filter(|a| a.status == ApplicationStatus::InNotice)
            .count();
        if waiting > 0 {
            let kind = if today > n.ends_on {
                DueKind::Naming
            } else {
                DueKind::NoticeEnds
            };
            out.push((false, n.ends_on, format!("{} ({waiting})", n.id), kind));
        }
    }
    for b in world.bases().filter(|b| b.status.on_register()) {
        let Some(policy) = policies.get(&b.policy) else {
            continue;
        };
        let ar = &policy.lifecycle.annual_report;
        let year = today.year() - 1;
        let due = NaiveDate::from_ymd_opt(today.year(), ar.due_month, ar.due_day).unwrap();
        let over = if ar.due_inclusive { today > due } else { today >= due };
        let missed_on = if ar.due_inclusive { due.succ_opt().unwrap() } else { due };
        if b.recognised_on.year() <= year
            && missed_on > b.entered_on
            && !b.reports.contains_key(&year)
            && !b.missing_reports.contains(&year)
        {
            out.push((over, due, b.official_name.clone(), DueKind::AnnualReport));
        }
        let evaluated = b.evaluations.iter().filter(|e| !e.re_evaluation).count() as u32;
        if b.evaluations_due > evaluated {
            out.push((true, today, b.official_name.clone(), DueKind::Evaluation));
        }
        if let BaseStatus::UnderRectification { until } = b.status {
            let kind = if until <= today {
                DueKind::ReEvaluation
            } else {
                DueKind::RectificationEnds
            };
            out.push((until <= today, until, b.official_name.clone(), kind));
        }
    }
    for r in world.rounds() {
        if r.closed_on.is_none() && r.opens_on <= today && today <= r.closes_on {
            out.push((false, r.closes_on, r.title.clone(), DueKind::RoundCloses));
        }
    }
    out.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then_with(|| a.2.cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    out
}

fn everything() -> DueQuery {
    DueQuery {
        kind: None,
        offset: 0,
        limit: usize::MAX,
    }
}

fn as_listed(page: &DuePage) -> Vec<(bool, NaiveDate, String, DueKind)> {
    page.entries
        .iter()
        .map(|e| (e.overdue, e.due, e.subject.clone(), e.kind))
        .collect()
}

fn stages_by_scan(world: &World) -> Vec<(ApplicationStatus, usize)> {
    APPLICATION_STAGES
        .iter()
        .map(|s| (*s, world.applications().filter(|a| a.status == *s).count()))
        .collect()
}

/// A log made through the real commands by the generator: two provinces, four years.
pub(super) async fn generated_events() -> (Vec<Event>, PolicySet, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("due.db").display());
    let g = Guohe::open(&url, PolicySet::default()).await.unwrap();
    let o = crate::generate::Options {
        provinces: 2,
        bases_per_province: 60,
        years: 4,
        ..Default::default()
    };
    crate::generate::generate(&g, &o, false, "dept:test", |_| {})
        .await
        .unwrap();
    let mut events = Vec::new();
    g.log()
        .replay(0, |e: guohe_store::ReplayEvent<'_>| -> Result<(), crate::AppError> {
            if crate::is_domain_stream(e.stream) {
                let ev =
                    Event::from_json_parts(e.stream, e.occurred_on, e.actor, e.articles, e.kind, e.payload).unwrap();
                events.push(ev);
            }
            Ok(())
        })
        .await
        .unwrap();
    (events, g.policies().clone(), dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_view_follows_a_generated_log_event_by_event_as_the_scan_does() {
    let (events, policies, _dir) = generated_events().await;
    assert!(events.len() > 1_000, "the generator made {} events", events.len());
    let today = d("2025-03-01");
    let mut world = World::new();
    let mut view = DueView::new();
    let mut kinds_seen = std::collections::BTreeSet::new();
    let mut checks = 0;
    for (i, e) in events.iter().enumerate() {
        world.apply(e);
        view.note(&world, e);
        // Several events are folded before a look, as a command or a catch-up does.
        if i % 7 == 0 || i + 1 == events.len() {
            let date = if i % 301 == 0 { e.on } else { today };
            view.sync(&world, &policies, date);
            let page = view.query(&|_| true, &everything());
            assert_eq!(
                as_listed(&page),
                listed_by_scan(&world, &policies, date),
                "after event {i} on {date}"
            );
            assert_eq!(page.stages, stages_by_scan(&world), "after event {i}");
            kinds_seen.extend(page.entries.iter().map(|e| e.kind));
            checks += 1;
        }
    }
    assert!(checks > 100);
    // The generated log goes through every kind of work at some point.
    for k in [
        DueKind::AnnualReport,
        DueKind::Decision,
        DueKind::NoticeEnds,
        DueKind::RoundCloses,
    ] {
        assert!(kinds_seen.contains(&k), "{k:?} never listed: {kinds_seen:?}");
    }
    // The whole world on other dates: a new date rebuilds the view.
    for date in ["2024-01-15", "2024-01-16", "2025-06-30", "2026-01-14", "2026-11-20"] {
        view.sync(&world, &policies, d(date));
        let page = view.query(&|_| true, &everything());
        assert_eq!(as_listed(&page), listed_by_scan(&world, &policies, d(date)), "{date}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_cut_the_merged_list_of_the_policies_in_scope() {
    let (events, policies, _dir) = generated_events().await;
    let mut world = World::new();
    for e in &events {
        world.apply(e);
    }
    // Ten days before the 2026 reports are due: every base on the register owes one.
    let date = d("2027-01-05");
    let view = DueView::build(&world, &policies, date);
    let all = view.query(&|_| true, &everything());
    assert!(all.total > 20, "{} entries", all.total);
    let policy_ids: std::collections::BTreeSet<&str> = all.entries.iter().map(|e| e.policy.as_str()).collect();
    assert!(policy_ids.len() >= 2, "{policy_ids:?}");
    let first = *policy_ids.iter().next().unwrap();
    for scope in [None, Some(first)] {
        let in_scope = |p: &str| scope.is_none_or(|s| s == p);
        let whole: Vec<DueEntry> = all.entries.iter().filter(|e| in_scope(&e.policy)).cloned().collect();
        for kind in std::iter::once(None).chain(DueKind::ALL.map(Some)) {
            let wanted: Vec<DueEntry> = whole
                .iter()
                .filter(|e| kind.is_none_or(|k| e.kind == k))
                .cloned()
                .collect();
            for (offset, limit) in [
                (0, 7),
                (7, 7),
                (3, 50),
                (wanted.len().saturating_sub(2), 10),
                (wanted.len() + 5, 5),
            ] {
                let page = view.query(&in_scope, &DueQuery { kind, offset, limit });
                assert_eq!(page.total, wanted.len(), "{scope:?} {kind:?}");
                let expect: Vec<DueEntry> = wanted.iter().skip(offset).take(limit).cloned().collect();
                assert_eq!(page.entries, expect, "{scope:?} {kind:?} {offset}+{limit}");
            }
        }
        // Counts by kind: every entry once, the overdue ones among them.
        let page = view.query(
            &in_scope,
            &DueQuery {
                kind: None,
                offset: 0,
                limit: 0,
            },
        );
        assert!(page.entries.is_empty());
        assert_eq!(page.counts.iter().map(|c| c.total).sum::<usize>(), whole.len());
        for c in &page.counts {
            assert_eq!(c.total, whole.iter().filter(|e| e.kind == c.kind).count());
            assert_eq!(
                c.overdue,
                whole.iter().filter(|e| e.kind == c.kind && e.overdue).count()
            );
        }
        assert!(page.counts.iter().all(|c| c.total > 0));
    }
    // Nothing in scope: nothing listed.
    let none = view.query(&|_| false, &everything());
    assert_eq!((none.total, none.entries.len(), none.counts.len()), (0, 0, 0));
    assert!(none.stages.iter().all(|(_, n)| *n == 0));
}

fn event(stream: &str, on: &str, kind: EventKind) -> Event {
    Event {
        stream: stream.into(),
        on: d(on),
        actor: "dept:test".into(),
        articles: Vec::new(),
        kind,
    }
}

#[test]
fn the_annual_report_is_due_on_the_policys_day_and_leaves_the_list_when_filed() {
    // 湖南第十四条：基地应于每年1月15日前报送上一年度工作总结（年度报告）。
    let policies = PolicySet::default();
    let ar = &policies.get("hunan-2026").unwrap().lifecycle.annual_report;
    assert_eq!((ar.due_month, ar.due_day), (1, 15));
    let mut w = World::new();
    let carried = event(
        "base/HN-B1",
        "2024-05-01",
        EventKind::BaseCarriedOver(BaseCarriedOver {
            base: "HN-B1".into(),
            policy: "hunan-2026".into(),
            official_name: "湖南省某国际科技合作基地".into(),
            unit_name: "某大学".into(),
            uscc: crate::generate::facts::complete_uscc("91430100MA4L0001"),
            domain: "新材料".into(),
            old_category: None,
            category: None,
            director: "张三".into(),
            partner_country: Some("DE".into()),
            recognised_on: d("2024-05-01"),
            national: false,
            legacy: false,
            evaluated: true,
            evaluation_anchor: d("2024-05-01"),
        }),
    );
    w.apply(&carried);
    let mut view = DueView::new();
    let due_on = |view: &mut DueView, w: &World, date: &str| {
        view.sync(w, &policies, d(date));
        view.query(&|_| true, &everything()).entries
    };
    // Recognised in 2024: nothing is due for 2023.
    assert!(due_on(&mut view, &w, "2024-12-31").is_empty());
    // The 2024 report is due on 15 January 2025; on that day it is still on time or not, as
    // the policy says the day itself counts.
    let before = due_on(&mut view, &w, "2025-01-10");
    assert_eq!(before.len(), 1);
    assert_eq!(
        (before[0].kind, before[0].year, before[0].due, before[0].overdue),
        (DueKind::AnnualReport, Some(2024), d("2025-01-15"), false)
    );
    let on_the_day = due_on(&mut view, &w, "2025-01-15");
    assert_eq!(on_the_day[0].overdue, !ar.due_inclusive);
    let after = due_on(&mut view, &w, "2025-01-16");
    assert!(after[0].overdue);
    // Filed: it leaves the list at the next look, without a rebuild (same date).
    let filed = event(
        "base/HN-B1",
        "2025-01-16",
        EventKind::AnnualReportSubmitted(AnnualReportSubmitted {
            base: "HN-B1".into(),
            year: 2024,
            submitted_on: d("2025-01-16"),
            due_on: d("2025-01-15"),
            late: true,
            recommender_copy: true,
        }),
    );
    w.apply(&filed);
    view.note(&w, &filed);
    assert!(!view.is_current(d("2025-01-16")));
    assert!(due_on(&mut view, &w, "2025-01-16").is_empty());
    // 湖南第十五条：不合格基地要求限期一年整改 — the period's end is due, then the re-evaluation.
    let ordered = event(
        "base/HN-B1",
        "2025-02-01",
        EventKind::RectificationOrdered(RectificationOrdered {
            base: "HN-B1".into(),
            consequence: "rectify".into(),
            from: d("2025-02-01"),
            until: d("2025-08-01"),
        }),
    );
    w.apply(&ordered);
    view.note(&w, &ordered);
    let during = due_on(&mut view, &w, "2025-01-16");
    assert_eq!(
        during.iter().map(|e| (e.kind, e.due, e.overdue)).collect::<Vec<_>>(),
        [(DueKind::RectificationEnds, d("2025-08-01"), false)]
    );
    let over = due_on(&mut view, &w, "2025-08-01");
    assert_eq!(
        over.iter().map(|e| (e.kind, e.overdue)).collect::<Vec<_>>(),
        [(DueKind::ReEvaluation, true)]
    );
}

#[test]
fn every_stage_is_counted_in_its_own_slot_in_display_order() {
    for (i, s) in APPLICATION_STAGES.iter().enumerate() {
        assert_eq!(stage_slot(*s), i, "{s:?}");
    }
}

#[test]
fn two_objections_to_one_application_are_two_items_until_each_is_resolved() {
    // 湖北第十七条第二款：公示期间对公示内容有异议的，以实名书面形式提出；each is resolved on its own.
    let policies = PolicySet::default();
    let mut w = World::new();
    let mut view = DueView::new();
    let fold = |w: &mut World, view: &mut DueView, e: Event| {
        w.apply(&e);
        view.note(w, &e);
    };
    fold(
        &mut w,
        &mut view,
        event(
            "notice/GS-1",
            "2026-11-02",
            EventKind::PublicNoticeStarted(guohe_domain::PublicNoticeStarted {
                notice: "GS-1".into(),
                policy: "hubei-2022".into(),
                applications: vec!["HB-A1".into()],
                starts_on: d("2026-11-02"),
                ends_on: d("2026-11-06"),
            }),
        ),
    );
    for o in ["OB-1", "OB-2"] {
        fold(
            &mut w,
            &mut view,
            event(
                "notice/GS-1",
                "2026-11-03",
                EventKind::ObjectionLodged(guohe_domain::ObjectionLodged {
                    notice: "GS-1".into(),
                    objection: o.into(),
                    application: "HB-A1".into(),
                    objector_real_name: "李四".into(),
                    contact: "13800000000".into(),
                    content: "材料不实".into(),
                }),
            ),
        );
    }
    let objections = |view: &mut DueView, w: &World| {
        view.sync(w, &policies, d("2026-11-05"));
        view.query(
            &|_| true,
            &DueQuery {
                kind: Some(DueKind::Objection),
                offset: 0,
                limit: 10,
            },
        )
        .entries
        .iter()
        .map(|e| e.objection.clone().unwrap())
        .collect::<Vec<_>>()
    };
    assert_eq!(objections(&mut view, &w), ["OB-1", "OB-2"]);
    fold(
        &mut w,
        &mut view,
        event(
            "notice/GS-1",
            "2026-11-05",
            EventKind::ObjectionResolved(guohe_domain::ObjectionResolved {
                notice: "GS-1".into(),
                objection: "OB-1".into(),
                resolution: "经核实，材料属实".into(),
                upheld: false,
            }),
        ),
    );
    assert_eq!(objections(&mut view, &w), ["OB-2"]);
}
