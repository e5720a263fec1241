//! 到期提醒 — which reminders are due on a date, and for whom, computed from the domain's own
//! due dates. Pure: no I/O, so the notifier, the command line and the department's dashboard
//! can all ask the same question.
//!
//! The annual report is due "于每年1月15日前" (Hunan 第十四条, Hubei 第二十二条); the policy file
//! gives the day and whether the day itself is on time (`lifecycle.annual_report`). Its
//! reminders fall 30, 7 and 1 days before that day and on the day the report is missed (the
//! day after an inclusive deadline, the day itself otherwise — the day the domain's clock
//! records the report missing). A date between two stages is in the earlier one, so a server
//! that was down on a stage's day still sends that stage once, and never a stale one.
//!
//! Each [`Reminder`] has a deterministic key: computing it again — on another day of the same
//! stage, after a restart, or on another server — gives the same key, which the outbox stores
//! once.

use chrono::{Datelike, Days, NaiveDate};
use guohe_domain::{BaseStatus, World};
use guohe_policy::{Policy, PolicySet};

/// Days before the annual report deadline on which a reminder goes out.
pub const ANNUAL_REPORT_DAYS_BEFORE: [u64; 3] = [30, 7, 1];

/// Days before the end of a rectification period on which a reminder goes out.
pub const RECTIFICATION_DAYS_BEFORE: [u64; 2] = [30, 7];

/// How long after the day a report was missed (or a period ended) its reminder is still sent
/// when it was not sent on the day (a server that was down); later it is history, not news.
pub const LATE_REMINDER_DAYS: u64 = 30;

/// Who a reminder is for; the notifier turns each into accounts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Audience {
    /// 省科技厅: the department's accounts.
    Department,
    /// 依托单位: the accounts of the unit with this 统一社会信用代码.
    Unit(String),
    /// 评审专家: the expert with this id (the expert's login).
    Expert(String),
}

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReminderKind {
    /// 年度报告 — the annual report's deadline approaches or was missed.
    AnnualReport,
    /// 阶段性评估到期 — an evaluation fell due.
    EvaluationDue,
    /// 限期整改 — a rectification period ends.
    RectificationEnding,
    /// 公示期满 — a public notice ends with objections unresolved.
    NoticeObjections,
    /// 指派评审 — an expert was assigned to an application.
    ExpertAssigned,
    /// 退回修改 — an application was returned.
    ApplicationReturned,
    /// 认定结论 — a decision was taken on an application.
    ApplicationDecided,
}

impl ReminderKind {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::AnnualReport => "annual_report",
            ReminderKind::EvaluationDue => "evaluation_due",
            ReminderKind::RectificationEnding => "rectification_ending",
            ReminderKind::NoticeObjections => "notice_objections",
            ReminderKind::ExpertAssigned => "expert_assigned",
            ReminderKind::ApplicationReturned => "application_returned",
            ReminderKind::ApplicationDecided => "application_decided",
        }
    }
}

/// The case a reminder points at; each audience gets the page of its own area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A base.
    Base(String),
    /// An application.
    Application(String),
    /// A public notice.
    Notice(String),
}

/// One reminder, before it is addressed to accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// Deterministic key, e.g. `annual_report:base/HN-2026-01:2026:d-7`.
    pub key: String,
    /// What it is about.
    pub kind: ReminderKind,
    /// Who gets it.
    pub audience: Vec<Audience>,
    /// The date it is about (a deadline, the day something happened).
    pub due_on: NaiveDate,
    /// The case.
    pub subject: Subject,
    /// Subject line, Chinese.
    pub title: String,
    /// Text: Chinese first, then English.
    pub body: String,
}

impl Reminder {
    /// The page for an audience: the department's, the unit's or the expert's view of the case.
    pub fn link_for(&self, audience: &Audience) -> String {
        match (&self.subject, audience) {
            (Subject::Base(id), Audience::Department) => format!("/dept/bases/{id}"),
            (Subject::Base(id), _) => format!("/unit/bases/{id}"),
            (Subject::Application(id), Audience::Department) => format!("/dept/applications/{id}"),
            (Subject::Application(id), Audience::Unit(_)) => format!("/unit/applications/{id}"),
            (Subject::Application(id), Audience::Expert(_)) => format!("/expert/applications/{id}"),
            (Subject::Notice(id), Audience::Department) => format!("/dept/notices/{id}"),
            (Subject::Notice(id), _) => format!("/notices/{id}"),
        }
    }
}

/// A stage of the annual report's reminders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStage {
    /// So many days before the deadline.
    Before(u64),
    /// The first day the report is late.
    Missed,
}

impl ReportStage {
    /// The stage's part of the key: `d-30`, `d-7`, `d-1`, `missed`.
    pub fn code(self) -> String {
        match self {
            ReportStage::Before(n) => format!("d-{n}"),
            ReportStage::Missed => "missed".into(),
        }
    }
}

/// The deadline of the report on `year` (in the next year), and the first day it is late.
pub fn annual_report_deadline(policy: &Policy, year: i32) -> Option<(NaiveDate, NaiveDate)> {
    let ar = &policy.lifecycle.annual_report;
    let due = NaiveDate::from_ymd_opt(year + 1, ar.due_month, ar.due_day)?;
    let missed = if ar.due_inclusive { due.succ_opt()? } else { due };
    Some((due, missed))
}

/// The stage of the reminders about the report on `year` that is current on `on`, with the
/// day that stage began; `None` before the first stage and some time after the last.
pub fn annual_report_stage(policy: &Policy, year: i32, on: NaiveDate) -> Option<(ReportStage, NaiveDate)> {
    let (due, missed) = annual_report_deadline(policy, year)?;
    if on >= missed {
        return (on <= missed.checked_add_days(Days::new(LATE_REMINDER_DAYS))?)
            .then_some((ReportStage::Missed, missed));
    }
    // Stages in date order (30, 7, 1 days before); the current one is the last begun.
    ANNUAL_REPORT_DAYS_BEFORE
        .iter()
        .filter_map(|n| Some((ReportStage::Before(*n), due.checked_sub_days(Days::new(*n))?)))
        .rfind(|(_, day)| *day <= on)
}

/// Every reminder due on `on`, computed from the world and the policies, sorted by key.
pub fn reminders_on(world: &World, policies: &PolicySet, on: NaiveDate) -> Vec<Reminder> {
    let mut out = Vec::new();
    for b in world.bases().filter(|b| b.status.on_register()) {
        let Some(policy) = policies.get(&b.policy) else {
            continue;
        };
        annual_reports(b, policy, on, &mut out);
        evaluations(b, policy, on, &mut out);
        rectification(b, policy, on, &mut out);
    }
    notices(world, policies, on, &mut out);
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn annual_reports(b: &guohe_domain::Base, policy: &Policy, on: NaiveDate, out: &mut Vec<Reminder>) {
    let article = policy.cite_zh(policy.lifecycle.annual_report.article);
    for year in [on.year() - 1, on.year()] {
        let Some((stage, _)) = annual_report_stage(policy, year, on) else {
            continue;
        };
        let Some((due, missed)) = annual_report_deadline(policy, year) else {
            continue;
        };
        // The same years the clock holds a base to (see the domain's tick): from the year of
        // recognition, and only deadlines that fall after the base entered the register.
        if year < b.recognised_on.year() || missed <= b.entered_on || b.reports.contains_key(&year) {
            continue;
        }
        let (title, body, audience) = match stage {
            ReportStage::Before(n) => (
                format!("【年度报告】{}：{year}年度报告{n}天后截止（{due}）", b.official_name),
                format!(
                    "{name}的{year}年度工作报告须于{due}前报送省科技厅（{title}{article}），距截止还有{n}天，目前尚未报送。\n\
                     The {year} annual report of {name} is due by {due} ({n} days left) and has not been submitted.",
                    name = b.official_name,
                    title = policy.title,
                ),
                vec![Audience::Unit(b.uscc.clone())],
            ),
            ReportStage::Missed => (
                format!("【年度报告逾期】{}：{year}年度报告未在{due}前报送", b.official_name),
                format!(
                    "{name}的{year}年度工作报告应于{due}前报送（{title}{article}），截至{missed}仍未报送，已逾期。\n\
                     The {year} annual report of {name} was due by {due} and has not been submitted: it is overdue.",
                    name = b.official_name,
                    title = policy.title,
                ),
                vec![Audience::Unit(b.uscc.clone()), Audience::Department],
            ),
        };
        out.push(Reminder {
            key: format!("annual_report:base/{}:{year}:{}", b.id, stage.code()),
            kind: ReminderKind::AnnualReport,
            audience,
            due_on: due,
            subject: Subject::Base(b.id.clone()),
            title,
            body,
        });
    }
}

fn evaluations(b: &guohe_domain::Base, policy: &Policy, on: NaiveDate, out: &mut Vec<Reminder>) {
    let done = b.evaluations.iter().filter(|e| !e.re_evaluation).count() as u32;
    if b.evaluations_due <= done {
        return;
    }
    let cycle = b.evaluations_due;
    // The policy's schedule (every N years, a first interval then a repeat, or a list).
    let due_on = policy
        .lifecycle
        .evaluation
        .due_on(b.evaluation_anchor, cycle)
        .unwrap_or(on);
    if due_on > on {
        return;
    }
    let article = policy.cite_zh(policy.lifecycle.evaluation.article);
    out.push(Reminder {
        key: format!("evaluation_due:base/{}:cycle-{cycle}", b.id),
        kind: ReminderKind::EvaluationDue,
        audience: vec![Audience::Department],
        due_on,
        subject: Subject::Base(b.id.clone()),
        title: format!("【评估到期】{}：第{cycle}期阶段性评估已于{due_on}到期", b.official_name),
        body: format!(
            "{name}的第{cycle}期阶段性评估已于{due_on}到期（{title}{article}），尚未记录评估结果。\n\
             Evaluation cycle {cycle} of {name} fell due on {due_on}; no result is recorded yet.",
            name = b.official_name,
            title = policy.title,
        ),
    });
}

fn rectification(b: &guohe_domain::Base, policy: &Policy, on: NaiveDate, out: &mut Vec<Reminder>) {
    let BaseStatus::UnderRectification { until } = b.status else {
        return;
    };
    let mut stages: Vec<(String, NaiveDate)> = RECTIFICATION_DAYS_BEFORE
        .iter()
        .filter_map(|n| Some((format!("d-{n}"), until.checked_sub_days(Days::new(*n))?)))
        .collect();
    stages.push(("ends".into(), until));
    let Some((code, _)) = stages.into_iter().rfind(|(_, day)| *day <= on) else {
        return;
    };
    if code == "ends"
        && until
            .checked_add_days(Days::new(LATE_REMINDER_DAYS))
            .is_some_and(|d| on > d)
    {
        return;
    }
    let article = policy
        .lifecycle
        .rectification
        .as_ref()
        .map(|r| policy.cite_zh(r.article))
        .unwrap_or_default();
    let (title, text_zh, text_en) = if code == "ends" {
        (
            format!("【整改期满】{}：整改期于{until}届满，应组织复评", b.official_name),
            format!(
                "{}的限期整改于{until}届满（{}{article}），应组织复评。",
                b.official_name, policy.title
            ),
            format!(
                "The rectification period of {} ended on {until}; a re-evaluation is due.",
                b.official_name
            ),
        )
    } else {
        (
            format!("【整改截止】{}：整改期将于{until}届满", b.official_name),
            format!(
                "{}的限期整改将于{until}届满（{}{article}）。",
                b.official_name, policy.title
            ),
            format!("The rectification period of {} ends on {until}.", b.official_name),
        )
    };
    out.push(Reminder {
        key: format!("rectification:base/{}:{until}:{code}", b.id),
        kind: ReminderKind::RectificationEnding,
        audience: vec![Audience::Department, Audience::Unit(b.uscc.clone())],
        due_on: until,
        subject: Subject::Base(b.id.clone()),
        title,
        body: format!("{text_zh}\n{text_en}"),
    });
}

fn notices(world: &World, policies: &PolicySet, on: NaiveDate, out: &mut Vec<Reminder>) {
    let mut ids: Vec<&String> = world.applications().filter_map(|a| a.notice.as_ref()).collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let Some(n) = world.notice(id) else { continue };
        let open = n.objections.values().filter(|o| o.resolution.is_none()).count();
        if open == 0 {
            continue;
        }
        // The day before the period ends, and the day it ends.
        let code = match n.ends_on.signed_duration_since(on).num_days() {
            1 => "d-1",
            0 => "ends",
            _ => continue,
        };
        let article = policies
            .get(&n.policy)
            .map(|p| format!("{}{}", p.title, p.cite_zh(p.procedure.public_notice.article)))
            .unwrap_or_default();
        out.push(Reminder {
            key: format!("notice_objections:notice/{}:{code}", n.id),
            kind: ReminderKind::NoticeObjections,
            audience: vec![Audience::Department],
            due_on: n.ends_on,
            subject: Subject::Notice(n.id.clone()),
            title: format!(
                "【公示异议】{}：公示期{}届满，尚有{open}项实名异议未处理",
                n.id, n.ends_on
            ),
            body: format!(
                "公示{}的公示期于{}届满（{article}），尚有{open}项实名异议未处理；异议处理完毕前不能命名。\n\
                 Public notice {} ends on {} with {open} objection(s) unresolved; naming waits for them.",
                n.id, n.ends_on, n.id, n.ends_on
            ),
        });
    }
}
