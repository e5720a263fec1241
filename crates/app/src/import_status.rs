//! 存量基地的状态 — a row whose base is not 正常运行 (限期整改, 终止并注销命名, 撤销命名, 取消资格,
//! 退出省级管理序列) is carried over and then put in that status by the step the policy itself
//! prescribes: the consequence rule (`policy.consequences`) whose effect gives the status is
//! triggered again, so the status comes with its article, its dates and whatever else the rule
//! brings (a disqualification's ban on applying again).
//!
//! Readings taken (the regulations say nothing about files):
//! - the rule is the one the row's 状态依据 names (by its title or id); left empty, it is the
//!   policy's only rule that gives the status and can be taken again, and when there are several
//!   the row must say which — the import never picks a finding nobody made;
//! - a rule triggered by a finding (情形) is taken again as that finding, effective on the row's
//!   状态日期 (Hunan 第十六条、第十七条; Hubei 第二十八条、第二十九条); a rule triggered by a
//!   periodic evaluation's grade is taken again as that evaluation, recorded on the 状态日期
//!   (Hunan 第十五条: 动态评估不合格，限期整改; Hubei 第二十八条第（一）项) — and as no command
//!   is backdated behind the system clock, on a system already running that date must not be
//!   before the clock's day (into an empty database any past date does);
//! - rules triggered otherwise (a re-evaluation after rectification, consecutive annual grades,
//!   an approved major change) need a history the file does not hold: such a row is refused, and
//!   the base is brought on as 正常运行 and the steps taken in the system;
//! - the 状态日期 lies between the recognition date and the day of the import.
//!
//! The register export writes the 状态日期 and 状态依据 of every base whose status came from a
//! rule, so an exported register imports into an empty database as the same register.

use chrono::NaiveDate;
use guohe_domain::{Command, RecordEvaluation, RecordFinding};
use guohe_policy::Policy;
use guohe_policy::model::{Consequence, Effect, Trigger};

use crate::import_columns::{Column, STATUSES};

/// The status a consequence's effect gives (a code of [`STATUSES`]).
pub fn status_of(effect: &Effect) -> &'static str {
    match effect {
        Effect::Rectify => "rectification",
        Effect::Terminate => "terminated",
        Effect::Revoke => "revoked",
        Effect::Disqualify => "disqualified",
        Effect::ExitNational => "exited_national",
    }
}

fn label(status: &str) -> &'static str {
    STATUSES.iter().find(|(c, _)| *c == status).map_or("", |(_, zh)| zh)
}

/// The consequence rules of a policy an import can take again: those a finding or a periodic
/// evaluation triggers.
pub fn replayable(p: &Policy) -> impl Iterator<Item = &Consequence> {
    p.consequences
        .iter()
        .filter(|c| matches!(c.when, Trigger::Finding { .. } | Trigger::Evaluation { .. }))
}

/// The step that puts a carried-over base in its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusStep {
    /// The status code.
    pub status: &'static str,
    /// The day it took effect.
    pub since: NaiveDate,
    /// The consequence rule's id.
    pub consequence: String,
}

impl StatusStep {
    /// The command that takes the step, and the day it is decided on (an evaluation takes effect
    /// on the day it is recorded, so it is decided on the status date; a finding carries its own
    /// effective date).
    pub fn command(&self, policy: &Policy, base: &str, today: NaiveDate) -> Option<(Command, NaiveDate)> {
        let rule = policy.consequences.iter().find(|c| c.id == self.consequence)?;
        match &rule.when {
            Trigger::Evaluation { grade } => Some((
                Command::RecordEvaluation(RecordEvaluation {
                    base: base.to_string(),
                    grade: grade.clone(),
                }),
                self.since,
            )),
            Trigger::Finding { finding } => Some((
                Command::RecordFinding(RecordFinding {
                    case: format!("base/{base}"),
                    finding: finding.clone(),
                    effective_on: self.since,
                    evidence: format!(
                        "存量基地导入：原登记簿记载该基地自 {} 起“{}”（{}）",
                        self.since,
                        label(self.status),
                        rule.title_zh
                    ),
                }),
                today,
            )),
            // `resolve` admits only the rules above.
            _ => None,
        }
    }
}

/// A fault in the status cells: the column and why.
pub type CellFault = (Column, String);

/// Reads a row's status, 状态日期 and 状态依据 under its policy: `None` for 正常运行.
pub fn resolve(
    policy: &Policy,
    status: &'static str,
    since: Option<NaiveDate>,
    grounds: &str,
    recognised_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Option<StatusStep>, Vec<CellFault>> {
    let grounds = grounds.trim();
    if status == "active" {
        let mut faults = Vec::new();
        if since.is_some() {
            faults.push((Column::StatusSince, "“正常运行”的基地不填状态日期".to_string()));
        }
        if !grounds.is_empty() {
            faults.push((Column::StatusGrounds, "“正常运行”的基地不填状态依据".to_string()));
        }
        return if faults.is_empty() { Ok(None) } else { Err(faults) };
    }
    let mut faults = Vec::new();
    let zh = label(status);
    match since {
        None => faults.push((
            Column::StatusSince,
            format!("状态为“{zh}”，须填写状态日期（该状态生效之日）"),
        )),
        Some(d) if d > today => faults.push((Column::StatusSince, format!("状态日期 {d} 晚于今天（{today}）"))),
        Some(d) if recognised_on.is_some_and(|r| d < r) => faults.push((
            Column::StatusSince,
            format!("状态日期 {d} 早于认定日期（{}）", recognised_on.unwrap_or(d)),
        )),
        Some(_) => {}
    }
    let candidates: Vec<&Consequence> = replayable(policy).filter(|c| status_of(&c.then) == status).collect();
    let choices = || {
        candidates
            .iter()
            .map(|c| c.title_zh.as_str())
            .collect::<Vec<_>>()
            .join("；")
    };
    let rule = if grounds.is_empty() {
        match candidates.as_slice() {
            [one] => Some(*one),
            [] => {
                faults.push((
                    Column::Status,
                    format!(
                        "《{}》没有可在导入时记录“{zh}”的后果条款；请以“正常运行”纳入后按办法办理",
                        policy.title
                    ),
                ));
                None
            }
            _ => {
                faults.push((
                    Column::StatusGrounds,
                    format!(
                        "《{}》有多条后果条款产生“{zh}”，请填写状态依据，可选：{}",
                        policy.title,
                        choices()
                    ),
                ));
                None
            }
        }
    } else {
        match policy
            .consequences
            .iter()
            .find(|c| c.id == grounds || c.title_zh == grounds)
        {
            None => {
                faults.push((
                    Column::StatusGrounds,
                    format!("“{grounds}”不是《{}》的后果条款；可选：{}", policy.title, choices()),
                ));
                None
            }
            Some(c) if status_of(&c.then) != status => {
                faults.push((
                    Column::StatusGrounds,
                    format!(
                        "“{}”产生的是“{}”，与状态“{zh}”不符",
                        c.title_zh,
                        label(status_of(&c.then))
                    ),
                ));
                None
            }
            Some(c) if !candidates.iter().any(|x| x.id == c.id) => {
                faults.push((
                    Column::StatusGrounds,
                    format!(
                        "“{}”须依据纳入后的复评、年度考核或重大事项办理，不能在导入时记录；请以“正常运行”纳入后按办法办理",
                        c.title_zh
                    ),
                ));
                None
            }
            Some(c) => Some(c),
        }
    };
    match (rule, since) {
        (Some(c), Some(since)) if faults.is_empty() => Ok(Some(StatusStep {
            status,
            since,
            consequence: c.id.clone(),
        })),
        _ => Err(faults),
    }
}

/// Whether a base already on the register stands in the status a row gives it on `today`.
pub fn same_status(b: &guohe_domain::Base, step: Option<&StatusStep>, today: NaiveDate) -> bool {
    let entry = b
        .status_entry_on(today)
        .filter(|e| e.status != guohe_domain::BaseStatus::Active);
    match (entry, step) {
        (None, None) => true,
        (Some(e), Some(s)) => {
            crate::import_columns::status_code(e.status) == s.status
                && e.from == s.since
                && e.consequence.as_deref() == Some(s.consequence.as_str())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use guohe_policy::PolicySet;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_rule_is_named_or_the_only_one() {
        let set = PolicySet::default();
        let hunan = set.get("hunan-2026").unwrap();
        let today = d("2026-11-20");
        let r = Some(d("2019-06-01"));
        // One rule leads to rectification (第十五条) and one to leaving for the national list.
        let s = resolve(hunan, "rectification", Some(d("2026-05-01")), "", r, today)
            .unwrap()
            .unwrap();
        assert_eq!(s.consequence, "evaluation_unqualified_rectify");
        let s = resolve(hunan, "exited_national", Some(d("2026-05-01")), "", r, today)
            .unwrap()
            .unwrap();
        assert_eq!(s.consequence, "national_recognition");
        // Several findings disqualify (第十六条): the row must say which.
        let e = resolve(hunan, "disqualified", Some(d("2026-05-01")), "", r, today).unwrap_err();
        assert_eq!(e[0].0, Column::StatusGrounds);
        assert!(e[0].1.contains("可选"), "{}", e[0].1);
        let s = resolve(
            hunan,
            "disqualified",
            Some(d("2026-05-01")),
            "其他不宜继续作为国合基地的情形，取消资格",
            r,
            today,
        )
        .unwrap()
        .unwrap();
        assert_eq!(s.consequence, "other_unfit");
        // A re-evaluation's rule needs a rectification first.
        let e = resolve(
            hunan,
            "disqualified",
            Some(d("2026-05-01")),
            "re_evaluation_unqualified_disqualify",
            r,
            today,
        )
        .unwrap_err();
        assert!(e[0].1.contains("复评"), "{}", e[0].1);
        // Hunan terminates nothing; a date is needed; 正常运行 takes neither.
        assert_eq!(
            resolve(hunan, "terminated", Some(d("2026-05-01")), "", r, today).unwrap_err()[0].0,
            Column::Status
        );
        assert_eq!(
            resolve(hunan, "exited_national", None, "", r, today).unwrap_err()[0].0,
            Column::StatusSince
        );
        assert_eq!(
            resolve(hunan, "exited_national", Some(d("2018-01-01")), "", r, today).unwrap_err()[0].0,
            Column::StatusSince
        );
        assert!(resolve(hunan, "active", None, "", r, today).unwrap().is_none());
        assert!(resolve(hunan, "active", Some(d("2020-01-01")), "", r, today).is_err());
    }
}
