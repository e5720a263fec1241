//! 时钟 — rules that fire on their own as time passes.
//!
//! What has fired is recorded in the state (a grade for the year, a reminder's cycle, a period's
//! end), so ticking again to the same date finds nothing left to do.

use chrono::{Datelike, NaiveDate};
use guohe_policy::Policy;

use crate::consequence::{self, Emit, Happening, base_stream};
use crate::event::*;
use crate::handle::{Ctx, policy_of};
use crate::refusal::{Refusal, RefusalCode};
use crate::state::{Base, World};

/// Emits everything that fell due up to `up_to` (inclusive) and a final `ClockAdvanced`.
/// Ticking to the clock's own date emits nothing; ticking backwards is refused.
pub fn tick(world: &World, ctx: &Ctx<'_>, up_to: NaiveDate) -> Result<Vec<Event>, Refusal> {
    if let Some(clock) = world.clock {
        if up_to < clock {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                format!("系统时钟已在 {clock}，不能回拨到 {up_to}"),
                format!("the clock is at {clock}; it cannot go back to {up_to}"),
            ));
        }
        if up_to == clock {
            return Ok(Vec::new());
        }
    }
    let actor = "system:clock";
    let mut dated: Vec<Event> = Vec::new();

    let mut notices: Vec<_> = world.notices.values().filter(|n| !n.ended).collect();
    notices.sort_by(|a, b| a.id.cmp(&b.id));
    for n in notices {
        let Some(day_after) = n.ends_on.succ_opt() else {
            continue;
        };
        if day_after > up_to {
            continue;
        }
        let policy = policy_of(ctx.policies, &n.policy)?;
        dated.push(Event {
            stream: format!("notice/{}", n.id),
            on: day_after,
            actor: actor.into(),
            articles: vec![policy.cite(policy.procedure.public_notice.article)],
            kind: EventKind::PublicNoticeEnded(PublicNoticeEnded {
                notice: n.id.clone(),
                ends_on: n.ends_on,
            }),
        });
    }

    let mut bases: Vec<&Base> = world.bases.values().filter(|b| b.status.on_register()).collect();
    bases.sort_by(|a, b| a.id.cmp(&b.id));
    for b in bases {
        let policy = policy_of(ctx.policies, &b.policy)?;
        dated.extend(base_agenda(policy, b, up_to)?);
    }

    let mut used: Vec<&str> = world
        .rounds
        .values()
        .map(|r| r.policy.as_str())
        .chain(world.bases.values().map(|b| b.policy.as_str()))
        .collect();
    used.sort_unstable();
    used.dedup();
    for id in used {
        if world.expired_policies.contains(id) {
            continue;
        }
        let policy = policy_of(ctx.policies, id)?;
        let until = guohe_policy::valid_until(policy);
        let Some(day_after) = until.succ_opt() else { continue };
        if day_after <= up_to {
            dated.push(Event {
                stream: "clock".into(),
                on: day_after,
                actor: actor.into(),
                articles: vec![policy.cite(policy.validity.article)],
                kind: EventKind::PolicyExpired(PolicyExpired {
                    policy: id.to_string(),
                    valid_until: until,
                }),
            });
        }
    }

    // Stable: events of one base keep their causal order within a day.
    dated.sort_by_key(|e| e.on);
    dated.push(Event {
        stream: "clock".into(),
        on: up_to,
        actor: actor.into(),
        articles: Vec::new(),
        kind: EventKind::ClockAdvanced(ClockAdvanced { to: up_to }),
    });
    Ok(dated)
}

/// What one base has due, in date order, each step applied to a private copy so later steps see
/// earlier consequences (a terminated base gets no further grades).
fn base_agenda(policy: &Policy, base: &Base, up_to: NaiveDate) -> Result<Vec<Event>, Refusal> {
    let mut b = base.clone();
    let mut out = Vec::new();
    loop {
        if !b.status.on_register() {
            break;
        }
        let candidates = [
            next_report(policy, &b, up_to),
            next_evaluation(policy, &b, up_to),
            next_rectification_end(&b, up_to),
        ];
        let Some(item) = candidates.into_iter().flatten().min_by_key(|i| i.on()) else {
            break;
        };
        let events = fire(policy, &b, item)?;
        if events.is_empty() {
            break;
        }
        for e in &events {
            b.apply(e.on, &e.kind);
        }
        out.extend(events);
    }
    Ok(out)
}

enum Due {
    /// The report on `year` was due and none came in time; fires on `fires_on`.
    Report {
        year: i32,
        due_on: NaiveDate,
        fires_on: NaiveDate,
    },
    Evaluation {
        cycle: u32,
        due_on: NaiveDate,
    },
    RectificationEnd {
        until: NaiveDate,
    },
}

impl Due {
    fn on(&self) -> NaiveDate {
        match self {
            Due::Report { fires_on, .. } => *fires_on,
            Due::Evaluation { due_on, .. } => *due_on,
            Due::RectificationEnd { until } => *until,
        }
    }
}

fn next_report(policy: &Policy, b: &Base, up_to: NaiveDate) -> Option<Due> {
    let ar = &policy.lifecycle.annual_report;
    let first = b.recognised_on.year();
    for year in first..up_to.year() {
        let due_on = NaiveDate::from_ymd_opt(year + 1, ar.due_month, ar.due_day)?;
        // With an inclusive deadline the rule fires the day after; otherwise on the day itself.
        let fires_on = if ar.due_inclusive { due_on.succ_opt()? } else { due_on };
        if fires_on > up_to {
            break;
        }
        if fires_on <= b.entered_on {
            continue;
        }
        let on_time = b.reports.get(&year).is_some_and(|r| !r.late);
        if on_time {
            continue;
        }
        let handled = if policy.lifecycle.annual_assessment.is_some() {
            b.annual_grades.contains_key(&year)
        } else {
            b.missing_reports.contains(&year) || b.reports.contains_key(&year)
        };
        if !handled {
            return Some(Due::Report { year, due_on, fires_on });
        }
    }
    None
}

fn next_evaluation(policy: &Policy, b: &Base, up_to: NaiveDate) -> Option<Due> {
    if !b.evaluated {
        return None;
    }
    let mut cycle = b.evaluations_due + 1;
    loop {
        // `None` past the last evaluation of a listed (or one-off) schedule.
        let due_on = policy.lifecycle.evaluation.due_on(b.evaluation_anchor, cycle)?;
        if due_on > up_to {
            return None;
        }
        if due_on > b.entered_on {
            return Some(Due::Evaluation { cycle, due_on });
        }
        cycle += 1;
    }
}

fn next_rectification_end(b: &Base, up_to: NaiveDate) -> Option<Due> {
    let r = b.rectification?;
    (!r.period_ended && r.until <= up_to).then_some(Due::RectificationEnd { until: r.until })
}

fn fire(policy: &Policy, b: &Base, item: Due) -> Result<Vec<Event>, Refusal> {
    let emit = Emit {
        on: item.on(),
        actor: "system:clock",
    };
    let stream = base_stream(&b.id);
    let mut out = Vec::new();
    match item {
        Due::Report { year, due_on, .. } => match &policy.lifecycle.annual_assessment {
            Some(aa) => {
                let grade = aa.missing_report_grade.clone();
                let grade_of = |y: i32| -> Option<&str> {
                    if y == year {
                        Some(grade.as_str())
                    } else {
                        b.annual_grades.get(&y).map(|g| g.grade.as_str())
                    }
                };
                let fired = consequence::matching(
                    policy,
                    &Happening::Annual {
                        year,
                        grade_of: &grade_of,
                    },
                );
                out.push(emit.event(
                    stream,
                    vec![policy.cite(aa.article)],
                    EventKind::AnnualAssessmentRecorded(AnnualAssessmentRecorded {
                        base: b.id.clone(),
                        year,
                        grade: aa.missing_report_grade.clone(),
                        missing_report: true,
                    }),
                ));
                out.extend(consequence::on_base(policy, b, &fired, emit.on, &emit)?);
            }
            None => out.push(emit.event(
                stream,
                vec![policy.cite(policy.lifecycle.annual_report.article)],
                EventKind::AnnualReportMissing(AnnualReportMissing {
                    base: b.id.clone(),
                    year,
                    due_on,
                }),
            )),
        },
        Due::Evaluation { cycle, due_on } => out.push(emit.event(
            stream,
            vec![policy.cite(policy.lifecycle.evaluation.article)],
            EventKind::EvaluationDue(EvaluationDue {
                base: b.id.clone(),
                due_on,
                cycle,
            }),
        )),
        Due::RectificationEnd { until } => {
            let art = policy
                .lifecycle
                .rectification
                .as_ref()
                .map(|r| r.article)
                .unwrap_or(policy.lifecycle.evaluation.article);
            out.push(emit.event(
                stream,
                vec![policy.cite(art)],
                EventKind::RectificationPeriodEnded(RectificationPeriodEnded {
                    base: b.id.clone(),
                    until,
                }),
            ));
        }
    }
    Ok(out)
}
