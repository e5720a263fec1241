//! The consequence interpreter: `policy.consequences` (trigger → effect, with the article) turned
//! into events. No province is special-cased: a new policy file brings its own rules.

use chrono::{Months, NaiveDate};
use guohe_policy::Policy;
use guohe_policy::model::{BanScope, Consequence, Effect, Trigger};

use crate::event::*;
use crate::refusal::{Refusal, RefusalCode};
use crate::state::{ApplicationCase, BanScopeKind, Base};

/// What happened that a consequence rule may answer.
pub(crate) enum Happening<'a> {
    /// A periodic evaluation with this grade.
    Evaluation(&'a str),
    /// A re-evaluation after rectification with this grade.
    ReEvaluation(&'a str),
    /// An annual grade for a year; `grade_of` gives the grades of every year including this one.
    Annual {
        year: i32,
        grade_of: &'a dyn Fn(i32) -> Option<&'a str>,
    },
    /// A finding.
    Finding(&'a str),
    /// An approved major change.
    MajorChange(&'a str),
}

/// The consequence rules that fire, in the policy's order.
pub(crate) fn matching<'p>(policy: &'p Policy, h: &Happening<'_>) -> Vec<&'p Consequence> {
    policy
        .consequences
        .iter()
        .filter(|c| match (&c.when, h) {
            (Trigger::Evaluation { grade }, Happening::Evaluation(g)) => grade == g,
            (Trigger::ReEvaluation { grade }, Happening::ReEvaluation(g)) => grade == g,
            (Trigger::Finding { finding }, Happening::Finding(f)) => finding == f,
            (Trigger::MajorChange { change }, Happening::MajorChange(k)) => change == k,
            (Trigger::ConsecutiveAnnual { grade, years }, Happening::Annual { year, grade_of }) => {
                consecutive(*year, *years, grade, *grade_of)
            }
            _ => false,
        })
        .collect()
}

/// True when some run of `n` adjacent years containing `year` all have `grade`.
fn consecutive<'a>(year: i32, n: u32, grade: &str, grade_of: &dyn Fn(i32) -> Option<&'a str>) -> bool {
    let n = n.max(1) as i32;
    (year - n + 1..=year).any(|start| (start..start + n).all(|y| grade_of(y) == Some(grade)))
}

/// A stream name for a base.
pub(crate) fn base_stream(id: &str) -> String {
    format!("base/{id}")
}

/// A stream name for an application.
pub(crate) fn application_stream(id: &str) -> String {
    format!("application/{id}")
}

/// Builds events on a date by an actor.
pub(crate) struct Emit<'a> {
    pub on: NaiveDate,
    pub actor: &'a str,
}

impl Emit<'_> {
    pub(crate) fn event(&self, stream: String, articles: Vec<guohe_policy::Citation>, kind: EventKind) -> Event {
        Event {
            stream,
            on: self.on,
            actor: self.actor.to_string(),
            articles,
            kind,
        }
    }
}

/// The events that carry out the fired rules on a base. Stops at the first effect that takes the
/// base off the register; a base already off it gets nothing.
pub(crate) fn on_base(
    policy: &Policy,
    base: &Base,
    fired: &[&Consequence],
    effective_on: NaiveDate,
    emit: &Emit<'_>,
) -> Result<Vec<Event>, Refusal> {
    let mut out = Vec::new();
    if base.status.is_final() {
        return Ok(out);
    }
    let stream = base_stream(&base.id);
    for c in fired {
        let cite = vec![policy.cite(c.article)];
        let consequence = c.id.clone();
        match c.then {
            Effect::Rectify => {
                let r = policy.lifecycle.rectification.as_ref().ok_or_else(|| {
                    Refusal::new(
                        RefusalCode::PolicyUnavailable,
                        format!(
                            "《{}》的后果规则“{}”要求限期整改，但未规定整改期限（lifecycle.rectification）",
                            policy.title, c.id
                        ),
                        format!(
                            "consequence `{}` of {} orders rectification but the policy sets no rectification period",
                            c.id, policy.id
                        ),
                    )
                    .cite(policy.cite(c.article))
                })?;
                let until = effective_on
                    .checked_add_months(Months::new(r.months))
                    .ok_or_else(date_range)?;
                let mut articles = cite;
                if r.article != c.article {
                    articles.push(policy.cite(r.article));
                }
                out.push(emit.event(
                    stream.clone(),
                    articles,
                    EventKind::RectificationOrdered(RectificationOrdered {
                        base: base.id.clone(),
                        consequence,
                        from: effective_on,
                        until,
                    }),
                ));
            }
            Effect::Terminate | Effect::Revoke => {
                let kind = if c.then == Effect::Terminate {
                    EventKind::BaseTerminated(BaseTerminated {
                        base: base.id.clone(),
                        consequence,
                        effective_on,
                    })
                } else {
                    EventKind::BaseRevoked(BaseRevoked {
                        base: base.id.clone(),
                        consequence,
                        effective_on,
                    })
                };
                out.push(emit.event(stream.clone(), cite, kind));
                // Effects compose: a termination or revocation may bar the unit as well.
                if let Some((b, article)) =
                    ban_event(policy, c, &base.uscc, &base.unit_name, &base.domain, effective_on)?
                {
                    out.push(emit.event(stream.clone(), vec![policy.cite(article)], EventKind::UnitBanned(b)));
                }
                break;
            }
            Effect::Disqualify => {
                let ban = ban_event(policy, c, &base.uscc, &base.unit_name, &base.domain, effective_on)?;
                let ban_until = ban.as_ref().map(|(b, _)| b.until);
                out.push(emit.event(
                    stream.clone(),
                    cite,
                    EventKind::BaseDisqualified(BaseDisqualified {
                        base: base.id.clone(),
                        consequence,
                        effective_on,
                        ban_until,
                    }),
                ));
                if let Some((b, article)) = ban {
                    out.push(emit.event(stream.clone(), vec![policy.cite(article)], EventKind::UnitBanned(b)));
                }
                break;
            }
            Effect::ExitNational => {
                out.push(emit.event(
                    stream.clone(),
                    cite,
                    EventKind::BaseExitedNational(BaseExitedNational {
                        base: base.id.clone(),
                        consequence,
                        effective_on,
                    }),
                ));
                break;
            }
        }
    }
    Ok(out)
}

/// The events that carry out the fired rules on an application in progress: a revocation or a
/// disqualification rejects it (and a disqualification bars the unit); effects that only make
/// sense for a base are refused.
pub(crate) fn on_application(
    policy: &Policy,
    app: &ApplicationCase,
    fired: &[&Consequence],
    effective_on: NaiveDate,
    emit: &Emit<'_>,
) -> Result<Vec<Event>, Refusal> {
    let mut out = Vec::new();
    let stream = application_stream(&app.id);
    // The first rule decides: an application is rejected once.
    if let Some(c) = fired.first() {
        let cite = vec![policy.cite(c.article)];
        match c.then {
            Effect::Revoke | Effect::Disqualify => {
                out.push(emit.event(
                    stream.clone(),
                    cite,
                    EventKind::ApplicationRejected(ApplicationRejected {
                        application: app.id.clone(),
                        reason: c.title_zh.clone(),
                        consequence: Some(c.id.clone()),
                    }),
                ));
                if let Some((b, article)) = ban_event(
                    policy,
                    c,
                    &app.facts.unit.uscc,
                    &app.facts.unit.name,
                    &app.facts.technology_domain,
                    effective_on,
                )? {
                    out.push(emit.event(stream.clone(), vec![policy.cite(article)], EventKind::UnitBanned(b)));
                }
            }
            Effect::Rectify | Effect::Terminate | Effect::ExitNational => {
                return Err(Refusal::new(
                    RefusalCode::NotAllowed,
                    format!(
                        "“{}”（{}）适用于已命名的基地，不适用于申请中的申报",
                        c.title_zh,
                        policy.cite_zh(c.article)
                    ),
                    format!(
                        "`{}` ({}) applies to a named base, not to an application",
                        c.title_en,
                        policy.cite(c.article)
                    ),
                )
                .cite(policy.cite(c.article))
                .at("case"));
            }
        }
    }
    Ok(out)
}

/// The ban a fired consequence imposes, if any (its own, or the policy's for a disqualification).
fn ban_event(
    policy: &Policy,
    c: &Consequence,
    uscc: &str,
    unit_name: &str,
    domain: &str,
    from: NaiveDate,
) -> Result<Option<(UnitBanned, guohe_policy::ArticleRef)>, Refusal> {
    let Some(ban) = c.ban_terms(&policy.lifecycle) else {
        return Ok(None);
    };
    let until = from
        .checked_add_months(Months::new(12 * ban.years))
        .ok_or_else(date_range)?;
    let (scope, domain) = match ban.scope {
        BanScope::Unit => (BanScopeKind::Unit, None),
        BanScope::UnitAndDomain => (BanScopeKind::UnitAndDomain, Some(domain.trim().to_string())),
    };
    Ok(Some((
        UnitBanned {
            uscc: uscc.to_string(),
            unit_name: unit_name.to_string(),
            policy: policy.id.clone(),
            province: policy.province.code.clone(),
            from,
            until,
            scope,
            domain,
        },
        ban.article,
    )))
}

pub(crate) fn date_range() -> Refusal {
    Refusal::new(RefusalCode::InvalidInput, "日期超出可计算范围", "date out of range")
}
