//! 状态 — every case, folded from events.
//!
//! `apply` only records what events say: no rule is re-run, no policy is read, so a rebuild from
//! millions of events is a sequence of hash-map lookups.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use guohe_policy::Application;
use guohe_policy::model::Approver;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::command::{Command, MajorChangeDetails};
use crate::event::*;

mod base;
mod bases;
mod documents;
mod fold;
mod lookup;

/// Everything the system knows: rounds, applications, notices, bases, bans, the clock, and the
/// version of every stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct World {
    pub(crate) clock: Option<NaiveDate>,
    pub(crate) rounds: HashMap<String, Round>,
    pub(crate) applications: HashMap<String, ApplicationCase>,
    pub(crate) notices: HashMap<String, Notice>,
    /// 基地 by id, with a look-up by unit code. Serialised as the map by id alone.
    pub(crate) bases: bases::Bases,
    pub(crate) bans: HashMap<String, Vec<UnitBan>>,
    pub(crate) objections: HashMap<String, String>,
    pub(crate) expired_policies: BTreeSet<String>,
    pub(crate) draws: HashMap<String, InspectionDraw>,
    pub(crate) panels: HashMap<String, PanelRecord>,
    /// 公文 by the SM3 hash of the PDF, with look-ups by case and by 文号. Defaulted so
    /// snapshots taken before documents were issued still load.
    #[serde(default)]
    pub(crate) documents: documents::Documents,
    versions: HashMap<String, i64>,
}

/// 现场考察抽取批次 — a draw and the results recorded against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionDraw {
    /// The draw as recorded.
    pub event: InspectionsDrawn,
    /// The day of the draw.
    pub drawn_on: NaiveDate,
    /// Results by base, with the day recorded.
    pub results: BTreeMap<String, (NaiveDate, InspectionResultRecorded)>,
}

/// 随机抽取的评审专家 — the draw of an application's panel and the reserves not yet called in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelRecord {
    /// The draw as recorded.
    pub event: ExpertPanelDrawn,
    /// Reserves still waiting, in order.
    pub reserves_left: Vec<String>,
    /// Declines: (expert, reason, reserve called in).
    pub declines: Vec<(String, String, Option<String>)>,
}

/// 申报批次.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    /// Id.
    pub id: String,
    /// Policy id.
    pub policy: String,
    /// Title.
    pub title: String,
    /// First day.
    pub opens_on: NaiveDate,
    /// Last day.
    pub closes_on: NaiveDate,
    /// Closed by command on this day.
    pub closed_on: Option<NaiveDate>,
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// 已提交 — awaiting the recommender.
    Submitted,
    /// 已退回 — may be resubmitted.
    Returned,
    /// 已推荐.
    Recommended,
    /// 评审中 — accepted for expert review.
    UnderReview,
    /// 认定同意 — awaiting notice.
    Approved,
    /// 不予认定 / 驳回.
    Rejected,
    /// 公示中.
    InNotice,
    /// 已命名.
    Named,
    /// 已撤回.
    Withdrawn,
}

impl ApplicationStatus {
    /// Still moving towards a decision or a name.
    pub fn in_progress(self) -> bool {
        !matches!(
            self,
            ApplicationStatus::Rejected | ApplicationStatus::Named | ApplicationStatus::Withdrawn
        )
    }
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "已提交",
            ApplicationStatus::Returned => "已退回",
            ApplicationStatus::Recommended => "已推荐",
            ApplicationStatus::UnderReview => "评审中",
            ApplicationStatus::Approved => "认定同意",
            ApplicationStatus::Rejected => "已驳回",
            ApplicationStatus::InNotice => "公示中",
            ApplicationStatus::Named => "已命名",
            ApplicationStatus::Withdrawn => "已撤回",
        }
    }
    /// English label, as messages print it.
    pub fn en(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Returned => "returned",
            ApplicationStatus::Recommended => "recommended",
            ApplicationStatus::UnderReview => "under expert review",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::InNotice => "in public notice",
            ApplicationStatus::Named => "named",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }
}

/// An expert's assignment and review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpertAssignment {
    /// The expert's unit.
    pub unit_uscc: String,
    /// The review, once given.
    pub review: Option<Review>,
}

/// 评审意见.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// Score.
    pub score: Decimal,
    /// Conclusion code.
    pub conclusion: String,
    /// Comments.
    pub comments: String,
    /// Date.
    pub on: NaiveDate,
}

/// 申报 — one application's case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationCase {
    /// Id.
    pub id: String,
    /// Round id.
    pub round: String,
    /// Policy id.
    pub policy: String,
    /// The facts as last submitted.
    pub facts: Application,
    /// Submission date.
    pub submitted_on: NaiveDate,
    /// Verdict at the last submission.
    pub verdict: String,
    /// Failing rules at the last submission.
    pub failing_rules: Vec<String>,
    /// Rules needing review.
    pub review_rules: Vec<String>,
    /// No recommender needed.
    pub direct: bool,
    /// Status.
    pub status: ApplicationStatus,
    /// Reasons of the last return.
    pub return_reasons: Vec<String>,
    /// The recommendation: (recommender, opinion).
    pub recommendation: Option<(String, String)>,
    /// Assigned experts.
    pub experts: BTreeMap<String, ExpertAssignment>,
    /// Experts who declared a conflict.
    pub conflicts: BTreeSet<String>,
    /// Site inspections: (date, findings).
    pub site_inspections: Vec<(NaiveDate, String)>,
    /// Decision: (code, approved, date).
    pub decision: Option<(String, bool, NaiveDate)>,
    /// Why it was rejected.
    pub rejection: Option<String>,
    /// The notice listing it.
    pub notice: Option<String>,
    /// The base it became.
    pub base: Option<String>,
}

impl ApplicationCase {
    /// Completed reviews by experts still assigned.
    pub fn completed_reviews(&self) -> usize {
        self.experts.values().filter(|a| a.review.is_some()).count()
    }
}

/// 实名异议.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objection {
    /// Id.
    pub id: String,
    /// Application.
    pub application: String,
    /// Real name.
    pub objector_real_name: String,
    /// Contact.
    pub contact: String,
    /// Content.
    pub content: String,
    /// Date lodged.
    pub lodged_on: NaiveDate,
    /// Resolution: (text, upheld, date).
    pub resolution: Option<(String, bool, NaiveDate)>,
}

/// 公示.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// Id.
    pub id: String,
    /// Policy id.
    pub policy: String,
    /// Applications listed.
    pub applications: Vec<String>,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// The end was recorded.
    pub ended: bool,
    /// Objections, by id.
    pub objections: BTreeMap<String, Objection>,
}

/// Where a base stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum BaseStatus {
    /// 正常运行.
    Active,
    /// 限期整改.
    UnderRectification {
        /// End of the period.
        until: NaiveDate,
    },
    /// 终止并注销命名.
    Terminated,
    /// 撤销命名.
    Revoked,
    /// 取消资格.
    Disqualified {
        /// The unit is barred until then, if the policy bans.
        ban_until: Option<NaiveDate>,
    },
    /// 退出省级管理序列（认定为国家基地）.
    ExitedNational,
}

impl BaseStatus {
    /// On the register: active or under rectification.
    pub fn on_register(self) -> bool {
        matches!(self, BaseStatus::Active | BaseStatus::UnderRectification { .. })
    }
    /// Final: nothing brings the base back.
    pub fn is_final(self) -> bool {
        !self.on_register()
    }
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            BaseStatus::Active => "正常运行",
            BaseStatus::UnderRectification { .. } => "限期整改",
            BaseStatus::Terminated => "终止并注销命名",
            BaseStatus::Revoked => "撤销命名",
            BaseStatus::Disqualified { .. } => "取消资格",
            BaseStatus::ExitedNational => "退出省级管理序列",
        }
    }
    /// English label, as messages print it.
    pub fn en(self) -> &'static str {
        match self {
            BaseStatus::Active => "active",
            BaseStatus::UnderRectification { .. } => "under rectification",
            BaseStatus::Terminated => "terminated",
            BaseStatus::Revoked => "revoked",
            BaseStatus::Disqualified { .. } => "disqualified",
            BaseStatus::ExitedNational => "exited to the national programme",
        }
    }
}

/// How a base came onto the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Named after an application.
    Named {
        /// The application.
        application: String,
    },
    /// Carried over under a transitional article.
    CarriedOver {
        /// Old category name.
        old_category: Option<String>,
        /// National base joining.
        national: bool,
        /// Recognised before the policy.
        legacy: bool,
    },
}

/// An annual report received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRecord {
    /// Filing date.
    pub submitted_on: NaiveDate,
    /// Deadline.
    pub due_on: NaiveDate,
    /// Filed late.
    pub late: bool,
}

/// An annual assessment grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualGrade {
    /// Grade code.
    pub grade: String,
    /// Given by rule for a missing report.
    pub missing_report: bool,
    /// The day it was recorded: a grade is known from then on (the verification service
    /// answers "as of a date").
    pub recorded_on: NaiveDate,
}

/// An evaluation result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationResult {
    /// Date.
    pub on: NaiveDate,
    /// Grade code.
    pub grade: String,
    /// 整改后复评.
    pub re_evaluation: bool,
}

/// 限期整改 in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rectification {
    /// From.
    pub from: NaiveDate,
    /// Until.
    pub until: NaiveDate,
    /// The period-end was recorded.
    pub period_ended: bool,
}

/// Where a major change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Awaiting approvals.
    Pending,
    /// Approved and applied.
    Approved,
    /// Not approved.
    Rejected,
}

/// 重大事项.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MajorChange {
    /// Kind code.
    pub kind: String,
    /// What changes.
    pub details: MajorChangeDetails,
    /// Who must approve, in order.
    pub approval: Vec<Approver>,
    /// Approvals given so far.
    pub approved_by: Vec<Approver>,
    /// Status.
    pub status: ChangeStatus,
    /// Filing date.
    pub filed_on: NaiveDate,
}

/// A status and the date it holds from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    /// From this date.
    pub from: NaiveDate,
    /// The status.
    pub status: BaseStatus,
    /// The policy's consequence rule that put the base in this status (`policy.consequences`
    /// id), when one did: the register export writes it (状态依据) so that an import can take
    /// the same step again. Absent in snapshots written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consequence: Option<String>,
}

/// 国合基地 — a base on (or once on) the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Base {
    /// Id.
    pub id: String,
    /// Policy id.
    pub policy: String,
    /// Official name.
    pub official_name: String,
    /// Support unit name.
    pub unit_name: String,
    /// Support unit USCC.
    pub uscc: String,
    /// Technology domain.
    pub domain: String,
    /// Category code.
    pub category: Option<String>,
    /// Director.
    pub director: String,
    /// Primary partner country.
    pub partner_country: Option<String>,
    /// Named or recognised on.
    pub recognised_on: NaiveDate,
    /// Day the base entered this system (rules that fell due before are not replayed).
    pub entered_on: NaiveDate,
    /// How it came.
    pub origin: Origin,
    /// Takes periodic evaluations.
    pub evaluated: bool,
    /// Evaluation cycles count from this date.
    pub evaluation_anchor: NaiveDate,
    /// Evaluation cycles already reminded.
    pub evaluations_due: u32,
    /// Current status.
    pub status: BaseStatus,
    /// Status history, by effective date.
    pub history: Vec<StatusEntry>,
    /// Annual reports by year.
    pub reports: BTreeMap<i32, ReportRecord>,
    /// Years whose report was recorded missing.
    pub missing_reports: BTreeSet<i32>,
    /// Annual assessment grades by year.
    pub annual_grades: BTreeMap<i32, AnnualGrade>,
    /// Evaluations.
    pub evaluations: Vec<EvaluationResult>,
    /// Rectification in progress or last.
    pub rectification: Option<Rectification>,
    /// Major changes by id.
    pub major_changes: BTreeMap<String, MajorChange>,
    /// 后补助 — post-subsidies awarded, in the order recorded.
    pub post_subsidies: Vec<crate::subsidy::PostSubsidyRecord>,
    /// 推荐申报国家级基地 — recommendations and what followed, oldest first.
    pub national: Vec<crate::national::NationalRecord>,
}

/// 不得重新申请 — a unit's ban.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitBan {
    /// Policy imposing it.
    pub policy: String,
    /// Province code.
    pub province: String,
    /// From.
    pub from: NaiveDate,
    /// Until (exclusive).
    pub until: NaiveDate,
    /// Scope.
    pub scope: BanScopeKind,
    /// Domain, for a domain-scoped ban.
    pub domain: Option<String>,
}

/// Whom a ban binds (mirrors the policy's `BanScope`, kept here so events stay self-contained).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BanScopeKind {
    /// The unit in every domain.
    Unit,
    /// The unit in one domain.
    UnitAndDomain,
}
