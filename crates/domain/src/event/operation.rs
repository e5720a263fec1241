//! 运行管理 — the events of a named base: reports, assessments, evaluations, rectification,
//! endings, bans, findings, major changes, and the policy's and the clock's own.

use chrono::NaiveDate;
use guohe_policy::model::Approver;
use serde::{Deserialize, Serialize};

use crate::command::MajorChangeDetails;
use crate::state::BanScopeKind;

/// An annual report was filed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualReportSubmitted {
    /// Base id.
    pub base: String,
    /// The year reported on.
    pub year: i32,
    /// Filing date.
    #[serde(deserialize_with = "crate::date_de::date")]
    pub submitted_on: NaiveDate,
    /// Deadline.
    #[serde(deserialize_with = "crate::date_de::date")]
    pub due_on: NaiveDate,
    /// Filed after the deadline.
    pub late: bool,
    /// A copy goes to the recommender (备案).
    pub recommender_copy: bool,
}

/// No annual report by the deadline (policies without an annual assessment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualReportMissing {
    /// Base id.
    pub base: String,
    /// The year.
    pub year: i32,
    /// Deadline.
    #[serde(deserialize_with = "crate::date_de::date")]
    pub due_on: NaiveDate,
}

/// 年度考核结果.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualAssessmentRecorded {
    /// Base id.
    pub base: String,
    /// The year assessed.
    pub year: i32,
    /// Grade code.
    pub grade: String,
    /// Given by rule because no report came by the deadline.
    pub missing_report: bool,
}

/// An evaluation fell due (reminder).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationDue {
    /// Base id.
    pub base: String,
    /// Due date.
    #[serde(deserialize_with = "crate::date_de::date")]
    pub due_on: NaiveDate,
    /// Which cycle (1 = first).
    pub cycle: u32,
}

/// An evaluation result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationRecorded {
    /// Base id.
    pub base: String,
    /// Grade code.
    pub grade: String,
    /// 整改后复评.
    pub re_evaluation: bool,
}

/// 限期整改.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RectificationOrdered {
    /// Base id.
    pub base: String,
    /// The consequence rule.
    pub consequence: String,
    /// From.
    pub from: NaiveDate,
    /// Until (re-evaluation from this day).
    pub until: NaiveDate,
}

/// The rectification period ended; re-evaluation is due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RectificationPeriodEnded {
    /// Base id.
    pub base: String,
    /// End of the period.
    pub until: NaiveDate,
}

/// Re-evaluation passed: back to normal operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RectificationCompleted {
    /// Base id.
    pub base: String,
    /// The re-evaluation grade.
    pub grade: String,
}

/// 终止并注销命名.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseTerminated {
    /// Base id.
    pub base: String,
    /// The consequence rule.
    pub consequence: String,
    /// Effective date.
    pub effective_on: NaiveDate,
}

/// 撤销命名.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseRevoked {
    /// Base id.
    pub base: String,
    /// The consequence rule.
    pub consequence: String,
    /// Effective date.
    pub effective_on: NaiveDate,
}

/// 取消资格.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseDisqualified {
    /// Base id.
    pub base: String,
    /// The consequence rule.
    pub consequence: String,
    /// Effective date.
    pub effective_on: NaiveDate,
    /// The unit may not apply before this date (exclusive), if the policy bans.
    pub ban_until: Option<NaiveDate>,
}

/// 不得重新申请 — a unit barred from applying.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitBanned {
    /// The unit's USCC.
    pub uscc: String,
    /// Unit name.
    pub unit_name: String,
    /// Policy imposing the ban.
    pub policy: String,
    /// Province code of that policy.
    pub province: String,
    /// From.
    pub from: NaiveDate,
    /// Until (exclusive).
    pub until: NaiveDate,
    /// Whom it binds.
    pub scope: BanScopeKind,
    /// For a domain-scoped ban: the domain.
    pub domain: Option<String>,
}

/// 退出省级管理序列 — recognised as a national base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseExitedNational {
    /// Base id.
    pub base: String,
    /// The consequence rule.
    pub consequence: String,
    /// The national document's date.
    pub effective_on: NaiveDate,
}

/// 情形 — a finding recorded on a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRecorded {
    /// The case, `base/<id>` or `application/<id>`.
    pub case: String,
    /// Finding code.
    pub finding: String,
    /// Effective date.
    pub effective_on: NaiveDate,
    /// Evidence.
    pub evidence: String,
}

/// 重大事项报告.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MajorChangeFiled {
    /// Base id.
    pub base: String,
    /// Change id.
    pub change: String,
    /// Kind code.
    pub kind: String,
    /// What changes.
    pub details: MajorChangeDetails,
    /// Who must approve, in order.
    pub approval: Vec<Approver>,
    /// Who is informed.
    pub informed: Vec<Approver>,
}

/// An intermediate approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MajorChangeEndorsed {
    /// Base id.
    pub base: String,
    /// Change id.
    pub change: String,
    /// By whom.
    pub by: Approver,
}

/// Final approval; the change takes effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MajorChangeApproved {
    /// Base id.
    pub base: String,
    /// Change id.
    pub change: String,
    /// By whom.
    pub by: Approver,
}

/// Not approved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MajorChangeRejected {
    /// Base id.
    pub base: String,
    /// Change id.
    pub change: String,
    /// By whom.
    pub by: Approver,
    /// Why.
    pub reason: String,
}

/// A policy's validity ended; new rounds under it are refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyExpired {
    /// Policy id.
    pub policy: String,
    /// Last valid day.
    pub valid_until: NaiveDate,
}

/// The clock moved forward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockAdvanced {
    /// The new date.
    pub to: NaiveDate,
}
