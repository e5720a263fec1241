//! 改革推演 — reform what-if: what a draft policy would change if it replaced a policy in force.
//!
//! Every application of the open rounds under the current policy is re-checked under the draft
//! (the bulk check, both policies over the same facts), and every base on the register is
//! replayed: the next annual-report and evaluation deadlines, the grade given for a missing
//! report, the consequences of each recorded grade and evaluation, the rectification period.
//! Only differences are reported, each with the articles of both sides; the reasons for a changed
//! eligibility verdict come from the traced check under the draft.
//!
//! Interpretation: the draft's rules are applied to the facts as submitted, as though the draft
//! had been in force on each application's date — a what-if asks what the rules say, not whether
//! the draft is in force yet — so its period of force is set aside for the re-check.

use chrono::{Datelike, NaiveDate};
use guohe_policy::eval::bulk::{BulkError, BulkPolicy};
use guohe_policy::eval::{Prepared, evaluate};
use guohe_policy::model::Effect;
use guohe_policy::schedule::CycleAnchor;
use guohe_policy::{ArticleRef, Policy, Status, Verdict};
use serde::Serialize;

use crate::consequence::{Happening, matching};
use crate::state::{Base, Origin, World};

/// One side of a comparison: what a policy says, and the articles saying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Said {
    /// The outcome, in Chinese.
    pub value: String,
    /// Citations, machine form (`hubei-2022:28(1)`).
    pub articles: Vec<String>,
    /// Citations in Chinese (第二十八条第一款).
    pub articles_zh: Vec<String>,
}

impl Said {
    fn new(policy: &Policy, value: impl Into<String>, at: &[ArticleRef]) -> Said {
        Said {
            value: value.into(),
            articles: at.iter().map(|a| policy.cite(*a).to_string()).collect(),
            articles_zh: at.iter().map(|a| policy.cite_zh(*a)).collect(),
        }
    }
}

/// A rule whose outcome changes for an application.
#[derive(Debug, Clone, Serialize)]
pub struct RuleChange {
    /// The rule id (rules are paired by id).
    pub rule: String,
    /// Under the current policy; absent when it has no such rule.
    pub current: Option<Said>,
    /// Under the draft; absent when the draft drops the rule.
    pub draft: Option<Said>,
    /// Why, under the draft (from the traced check).
    pub reason_zh: String,
}

/// An application whose verdict or rule outcomes change.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationChange {
    /// Application id.
    pub application: String,
    /// Round id.
    pub round: String,
    /// Support unit.
    pub unit: String,
    /// The verdict under the current policy.
    pub current: String,
    /// The verdict under the draft.
    pub draft: String,
    /// Rules whose outcome changes.
    pub rules: Vec<RuleChange>,
}

/// One thing that changes for a base.
#[derive(Debug, Clone, Serialize)]
pub struct BaseChange {
    /// Base id.
    pub base: String,
    /// Official name.
    pub name: String,
    /// What changes, in Chinese (e.g. 下次年度报告截止日).
    pub topic: String,
    /// Under the current policy.
    pub current: Said,
    /// Under the draft.
    pub draft: Said,
}

/// The what-if report.
#[derive(Debug, Clone, Serialize)]
pub struct ReformReport {
    /// The policy replaced.
    pub current: String,
    /// The draft's id and title.
    pub draft: String,
    /// The draft's title.
    pub draft_title: String,
    /// The day of the replay.
    pub as_of: NaiveDate,
    /// Applications re-checked.
    pub applications_checked: usize,
    /// Those whose outcome changes.
    pub applications: Vec<ApplicationChange>,
    /// Bases replayed.
    pub bases_replayed: usize,
    /// What changes for them.
    pub bases: Vec<BaseChange>,
}

fn verdict_zh(v: &Result<Verdict, String>) -> String {
    match v {
        Ok(v) => v.zh().to_string(),
        Err(e) => format!("无法核查：{e}"),
    }
}

fn bulk_error_zh(policy: &Policy, e: BulkError) -> String {
    match e {
        BulkError::DatedInFuture => "申报日期晚于核查日期".into(),
        BulkError::NotInForce => "申报日期不在办法有效期内".into(),
        BulkError::Incomplete { rule } => {
            let r = &policy.eligibility[rule];
            format!("缺少“{}”所需的事实（{}）", r.title_zh, policy.cite_zh(r.article))
        }
    }
}

/// The draft as applied by the what-if: its period of force set aside (see the module note).
fn unbounded(draft: &Policy, current: &Policy) -> Policy {
    let mut d = draft.clone();
    d.in_force_from = d
        .in_force_from
        .min(current.in_force_from)
        .checked_sub_months(chrono::Months::new(12 * 50))
        .unwrap_or(NaiveDate::MIN);
    d.validity.years = 100;
    d
}

/// What `draft` would change if it replaced `current`, as of `as_of`.
pub fn what_if(world: &World, current: &Policy, draft: &Policy, as_of: NaiveDate) -> ReformReport {
    let (applications_checked, applications) = applications(world, current, draft, as_of);
    let mut bases = Vec::new();
    let mut bases_replayed = 0;
    let mut on_register: Vec<&Base> = world
        .bases()
        .filter(|b| b.policy == current.id && b.status_on(as_of).is_some_and(|s| s.on_register()))
        .collect();
    on_register.sort_by(|a, b| a.id.cmp(&b.id));
    for b in on_register {
        bases_replayed += 1;
        bases.extend(replay_base(b, current, draft, as_of));
    }
    ReformReport {
        current: current.id.clone(),
        draft: draft.id.clone(),
        draft_title: draft.title.clone(),
        as_of,
        applications_checked,
        applications,
        bases_replayed,
        bases,
    }
}

fn applications(world: &World, current: &Policy, draft: &Policy, as_of: NaiveDate) -> (usize, Vec<ApplicationChange>) {
    let mut cases: Vec<_> = world
        .applications()
        .filter(|a| a.policy == current.id && a.status.in_progress())
        .collect();
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    let applied = unbounded(draft, current);
    let (Ok(cur_bulk), Ok(new_bulk)) = (BulkPolicy::compile(current), BulkPolicy::compile(&applied)) else {
        return (0, Vec::new());
    };
    // Facts that the draft's vocabularies no longer accept are a change of their own.
    let mut cur_prepared = Vec::new();
    let mut new_prepared: Vec<Result<Prepared, String>> = Vec::new();
    for a in &cases {
        cur_prepared.push(Prepared::new(current, a.facts.clone(), None).map_err(|e| e.message_zh));
        let mut facts = a.facts.clone();
        facts.policy = applied.id.clone();
        new_prepared.push(Prepared::new(&applied, facts, None).map_err(|e| format!("{}：{}", e.path, e.message_zh)));
    }
    let cur_ok: Vec<&Prepared> = cur_prepared.iter().filter_map(|p| p.as_ref().ok()).collect();
    let new_ok: Vec<&Prepared> = new_prepared.iter().filter_map(|p| p.as_ref().ok()).collect();
    let (cur_batch, new_batch) = (
        cur_bulk.batch(cur_ok.iter().copied()),
        new_bulk.batch(new_ok.iter().copied()),
    );
    let (mut cur_st, mut new_st) = (Vec::new(), Vec::new());
    let cur_out = cur_bulk.check_all(&cur_batch, as_of, &mut cur_st);
    let new_out = new_bulk.check_all(&new_batch, as_of, &mut new_st);
    let (cw, nw) = (cur_bulk.rules(), new_bulk.rules());
    let (mut ci, mut ni) = (0, 0);
    let mut changes = Vec::new();
    for (k, a) in cases.iter().enumerate() {
        let cur: Result<(Verdict, &[Status]), String> = match &cur_prepared[k] {
            Err(e) => Err(e.clone()),
            Ok(_) => {
                let i = ci;
                ci += 1;
                cur_out[i]
                    .map(|v| (v, &cur_st[i * cw..(i + 1) * cw]))
                    .map_err(|e| bulk_error_zh(current, e))
            }
        };
        let new: Result<(Verdict, &[Status]), String> = match &new_prepared[k] {
            Err(e) => Err(format!("事实不符合草案：{e}")),
            Ok(_) => {
                let i = ni;
                ni += 1;
                new_out[i]
                    .map(|v| (v, &new_st[i * nw..(i + 1) * nw]))
                    .map_err(|e| bulk_error_zh(&applied, e))
            }
        };
        let mut rules = Vec::new();
        if let (Ok((_, cs)), Ok((_, ns))) = (&cur, &new) {
            let status_of = |p: &Policy, st: &[Status], id: &str| {
                p.eligibility
                    .iter()
                    .position(|r| r.id == id)
                    .map(|i| (st[i], p.eligibility[i].article))
            };
            let mut ids: Vec<&str> = current.eligibility.iter().map(|r| r.id.as_str()).collect();
            for r in &applied.eligibility {
                if !ids.contains(&r.id.as_str()) {
                    ids.push(&r.id);
                }
            }
            let report = match &new_prepared[k] {
                Ok(p) => evaluate(&applied, p, as_of).ok().map(|e| e.report()),
                Err(_) => None,
            };
            for id in ids {
                let (c, n) = (status_of(current, cs, id), status_of(&applied, ns, id));
                if c.map(|x| x.0) == n.map(|x| x.0) {
                    continue;
                }
                let reason_zh = report
                    .as_ref()
                    .and_then(|r| r.findings.iter().find(|f| f.rule == id))
                    .map(|f| f.reason_zh.clone())
                    .unwrap_or_else(|| "草案无此条件".into());
                rules.push(RuleChange {
                    rule: id.to_string(),
                    current: c.map(|(s, at)| Said::new(current, s.zh(), &[at])),
                    draft: n.map(|(s, at)| Said::new(draft, s.zh(), &[at])),
                    reason_zh,
                });
            }
        }
        let (cv, nv) = (
            cur.as_ref().map(|x| x.0).map_err(Clone::clone),
            new.as_ref().map(|x| x.0).map_err(Clone::clone),
        );
        if cv != nv || !rules.is_empty() {
            changes.push(ApplicationChange {
                application: a.id.clone(),
                round: a.round.clone(),
                unit: a.facts.unit.name.clone(),
                current: verdict_zh(&cv),
                draft: verdict_zh(&nv),
                rules,
            });
        }
    }
    (cases.len(), changes)
}

/// The next annual report's deadline on or after `as_of`.
fn next_report_due(p: &Policy, as_of: NaiveDate) -> Option<NaiveDate> {
    let ar = &p.lifecycle.annual_report;
    (as_of.year()..=as_of.year() + 1)
        .filter_map(|y| NaiveDate::from_ymd_opt(y, ar.due_month, ar.due_day))
        .find(|d| *d >= as_of)
}

/// The next evaluation due on or after `as_of`, counting the cycle as `p` counts it.
fn next_evaluation_due(p: &Policy, b: &Base, as_of: NaiveDate) -> Option<NaiveDate> {
    if !b.evaluated {
        return None;
    }
    let anchor = match &b.origin {
        Origin::Named { .. } => b.recognised_on,
        Origin::CarriedOver { national, .. } => {
            let cs = &p.lifecycle.evaluation.cycle_start;
            let how: CycleAnchor = if *national { cs.joining } else { cs.carried_over };
            how.date(b.recognised_on, p.in_force_from, b.entered_on)
        }
    };
    (1..200)
        .filter_map(|c| p.lifecycle.evaluation.due_on(anchor, c))
        .find(|d| *d >= as_of)
}

fn date_or_none(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "无".into(), |d| d.to_string())
}

fn effects(p: &Policy, h: &Happening<'_>) -> Said {
    let fired = matching(p, h);
    if fired.is_empty() {
        return Said::new(p, "无后果", &[]);
    }
    let mut text = Vec::new();
    let mut at = Vec::new();
    for c in fired {
        let mut t = match c.then {
            Effect::Rectify => "限期整改".to_string(),
            Effect::Terminate => "终止并注销命名".into(),
            Effect::Revoke => "撤销命名".into(),
            Effect::Disqualify => "取消资格".into(),
            Effect::ExitNational => "退出省级管理序列".into(),
        };
        if let Some(b) = c.ban_terms(&p.lifecycle) {
            t.push_str(&format!("，{} 年内不得申请", b.years));
            at.push(b.article);
        }
        at.insert(0, c.article);
        text.push(t);
    }
    at.dedup();
    Said::new(p, text.join("；"), &at)
}

fn replay_base(b: &Base, current: &Policy, draft: &Policy, as_of: NaiveDate) -> Vec<BaseChange> {
    let mut out = Vec::new();
    let mut push = |topic: String, c: Said, d: Said| {
        if c.value != d.value {
            out.push(BaseChange {
                base: b.id.clone(),
                name: b.official_name.clone(),
                topic,
                current: c,
                draft: d,
            });
        }
    };
    let said_report = |p: &Policy| {
        Said::new(
            p,
            date_or_none(next_report_due(p, as_of)),
            &[p.lifecycle.annual_report.article],
        )
    };
    push("下次年度报告截止日".into(), said_report(current), said_report(draft));
    let said_eval = |p: &Policy| {
        Said::new(
            p,
            date_or_none(next_evaluation_due(p, b, as_of)),
            &[p.lifecycle.evaluation.article],
        )
    };
    push("下次评估日期".into(), said_eval(current), said_eval(draft));
    let grade_of = |y: i32| b.annual_grades.get(&y).map(|g| g.grade.as_str());
    for (year, g) in &b.annual_grades {
        let h = Happening::Annual {
            year: *year,
            grade_of: &grade_of,
        };
        push(
            format!("{year} 年度考核“{}”的后果", g.grade),
            effects(current, &h),
            effects(draft, &h),
        );
        if g.missing_report
            && let (Some(c), Some(d)) = (&current.lifecycle.annual_assessment, &draft.lifecycle.annual_assessment)
        {
            push(
                format!("{year} 年度未报年度报告的考核结果"),
                Said::new(current, c.missing_report_grade.clone(), &[c.article]),
                Said::new(draft, d.missing_report_grade.clone(), &[d.article]),
            );
        }
    }
    for e in &b.evaluations {
        let h = if e.re_evaluation {
            Happening::ReEvaluation(&e.grade)
        } else {
            Happening::Evaluation(&e.grade)
        };
        push(
            format!("{} 评估“{}”的后果", e.on, e.grade),
            effects(current, &h),
            effects(draft, &h),
        );
        if !draft.vocabularies.evaluation_grades.iter().any(|t| t.code == e.grade) {
            push(
                format!("{} 评估结果“{}”", e.on, e.grade),
                Said::new(current, "有此等级", &[current.lifecycle.evaluation.article]),
                Said::new(draft, "草案无此等级", &[draft.lifecycle.evaluation.article]),
            );
        }
    }
    if let (Some(r), Some(c), Some(d)) = (
        &b.rectification,
        &current.lifecycle.rectification,
        &draft.lifecycle.rectification,
    ) && !r.period_ended
    {
        push(
            format!("{} 起的整改期限", r.from),
            Said::new(current, format!("{} 个月", c.months), &[c.article]),
            Said::new(draft, format!("{} 个月", d.months), &[d.article]),
        );
    }
    out
}
