//! 事件 — what happened, with the articles it applies.
//!
//! The store keeps an event as stream, business date, actor, articles, kind name and a JSON
//! payload; [`Event::from_parts`] rebuilds it from exactly those.

use chrono::NaiveDate;
use guohe_policy::model::Approver;
use guohe_policy::{Application, Citation};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::DecodeError;
use crate::command::MajorChangeDetails;
pub use crate::document::DocumentIssued;
pub use crate::inspection::{InspectionResultRecorded, InspectionsDrawn};
pub use crate::national::{NationalOutcomeRecorded, RecommendedToNational};
pub use crate::panel::{ExpertPanelDrawn, PanelSeatDeclined};
use crate::state::BanScopeKind;
pub use crate::subsidy::PostSubsidyAwarded;

/// An event: what happened to which case, when, by whom, under which articles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The case: `round/<id>`, `application/<id>`, `notice/<id>`, `base/<id>` or `clock`.
    pub stream: String,
    /// The business date.
    pub on: NaiveDate,
    /// Who caused it (`dept:zhang`, `system:clock`).
    pub actor: String,
    /// The articles applied, machine form `hubei-2022:28.1`.
    pub articles: Vec<Citation>,
    /// What happened.
    pub kind: EventKind,
}

impl Event {
    /// The payload as stored: the kind's fields without the tag.
    pub fn payload(&self) -> serde_json::Value {
        self.kind.payload()
    }

    /// The kind name as stored.
    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }

    /// The articles in machine form, as stored.
    pub fn article_texts(&self) -> Vec<String> {
        self.articles.iter().map(|c| c.to_string()).collect()
    }

    /// Rebuilds an event from its stored parts.
    pub fn from_parts<S: AsRef<str>>(
        stream: impl Into<String>,
        on: NaiveDate,
        actor: impl Into<String>,
        articles: &[S],
        kind_name: &str,
        payload: serde_json::Value,
    ) -> Result<Event, DecodeError> {
        let articles = parse_articles(articles)?;
        let kind = EventKind::from_name_and_payload(kind_name, payload)?;
        Ok(Event {
            stream: stream.into(),
            on,
            actor: actor.into(),
            articles,
            kind,
        })
    }

    /// Rebuilds an event from its stored parts with the payload as JSON text (the fast path of
    /// replay).
    pub fn from_json_parts<S: AsRef<str>>(
        stream: impl Into<String>,
        on: NaiveDate,
        actor: impl Into<String>,
        articles: &[S],
        kind_name: &str,
        payload: &str,
    ) -> Result<Event, DecodeError> {
        let articles = parse_articles(articles)?;
        let kind = EventKind::from_name_and_json(kind_name, payload)?;
        Ok(Event {
            stream: stream.into(),
            on,
            actor: actor.into(),
            articles,
            kind,
        })
    }

    /// True when the event cites this article (machine form).
    pub fn cites(&self, citation: &str) -> bool {
        self.articles.iter().any(|c| c.to_string() == citation)
    }
}

fn parse_articles<S: AsRef<str>>(articles: &[S]) -> Result<Vec<Citation>, DecodeError> {
    articles
        .iter()
        .map(|a| {
            Citation::parse(a.as_ref()).map_err(|message| DecodeError::Citation {
                text: a.as_ref().to_string(),
                message,
            })
        })
        .collect()
}

tagged_enum! {
    /// 事件类型 — every kind of event.
    pub enum EventKind {
        /// 开启申报批次.
        RoundOpened,
        /// 关闭申报批次.
        RoundClosed,
        /// 提交申报 (with the eligibility verdict at submission).
        ApplicationSubmitted,
        /// 退回后重新提交.
        ApplicationResubmitted,
        /// 退回修改.
        ApplicationReturned,
        /// 撤回申报.
        ApplicationWithdrawn,
        /// 推荐.
        ApplicationRecommended,
        /// 指派评审专家.
        ExpertAssigned,
        /// 专家申明回避.
        ConflictDeclared,
        /// 专家评审意见.
        ReviewSubmitted,
        /// 现场勘验.
        SiteInspectionRecorded,
        /// 认定结论.
        ApplicationDecided,
        /// 驳回申请 (upheld objection, finding).
        ApplicationRejected,
        /// 公示开始.
        PublicNoticeStarted,
        /// 实名异议.
        ObjectionLodged,
        /// 异议处理.
        ObjectionResolved,
        /// 公示期满.
        PublicNoticeEnded,
        /// 命名.
        BaseNamed,
        /// 纳入管理（过渡条款）.
        BaseCarriedOver,
        /// 重新认定类别.
        BaseReclassified,
        /// 报送年度报告.
        AnnualReportSubmitted,
        /// 年度报告逾期未报.
        AnnualReportMissing,
        /// 年度考核结果.
        AnnualAssessmentRecorded,
        /// 评估到期.
        EvaluationDue,
        /// 评估结果（含整改后复评）.
        EvaluationRecorded,
        /// 限期整改.
        RectificationOrdered,
        /// 整改期满（应复评）.
        RectificationPeriodEnded,
        /// 整改后复评合格，恢复正常运行.
        RectificationCompleted,
        /// 终止并注销命名.
        BaseTerminated,
        /// 撤销命名.
        BaseRevoked,
        /// 取消资格.
        BaseDisqualified,
        /// 不得重新申请.
        UnitBanned,
        /// 认定为国家基地，退出省级序列.
        BaseExitedNational,
        /// 查实情形.
        FindingRecorded,
        /// 重大事项报告.
        MajorChangeFiled,
        /// 重大事项审核同意（尚需后续审批）.
        MajorChangeEndorsed,
        /// 重大事项批准并生效.
        MajorChangeApproved,
        /// 重大事项不予同意.
        MajorChangeRejected,
        /// 办法有效期届满.
        PolicyExpired,
        /// 时钟推进.
        ClockAdvanced,
        /// 现场考察抽取结果（双随机、一公开）.
        InspectionsDrawn,
        /// 现场考察结果.
        InspectionResultRecorded,
        /// 评审专家随机抽取结果.
        ExpertPanelDrawn,
        /// 评审专家谢绝（候补递补）.
        PanelSeatDeclined,
        /// 建设经费后补助.
        PostSubsidyAwarded,
        /// 推荐申报国家级基地.
        RecommendedToNational,
        /// 国家级认定结果.
        NationalOutcomeRecorded,
        /// 公文已印发（SM3）.
        DocumentIssued,
    }
}

/// A round was opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundOpened {
    /// Round id.
    pub round: String,
    /// Policy id.
    pub policy: String,
    /// Title.
    pub title: String,
    /// First day applications are accepted.
    pub opens_on: NaiveDate,
    /// Last day applications are accepted.
    pub closes_on: NaiveDate,
}

/// A round was closed early or on time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundClosed {
    /// Round id.
    pub round: String,
}

/// An application was submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationSubmitted {
    /// Application id.
    pub application: String,
    /// Round id.
    pub round: String,
    /// Policy id.
    pub policy: String,
    /// The facts as declared (application date set to the submission date; register facts from
    /// the register).
    pub facts: Application,
    /// Eligibility verdict at submission: `eligible`, `ineligible`, `needs_review`.
    pub verdict: String,
    /// Rules that failed.
    pub failing_rules: Vec<String>,
    /// Rules that need expert judgement.
    pub review_rules: Vec<String>,
    /// 直接申请 — no recommender needed (Hubei 第六条).
    pub direct: bool,
}

/// A returned application was submitted again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationResubmitted {
    /// Application id.
    pub application: String,
    /// The corrected facts.
    pub facts: Application,
    /// Verdict.
    pub verdict: String,
    /// Failing rules.
    pub failing_rules: Vec<String>,
    /// Rules needing review.
    pub review_rules: Vec<String>,
}

/// Returned for correction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationReturned {
    /// Application id.
    pub application: String,
    /// Why.
    pub reasons: Vec<String>,
}

/// Withdrawn by the applicant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationWithdrawn {
    /// Application id.
    pub application: String,
    /// Why.
    pub reason: String,
}

/// Recommended by the recommender.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationRecommended {
    /// Application id.
    pub application: String,
    /// The recommender.
    pub recommender: String,
    /// Its opinion.
    pub opinion: String,
}

/// An expert was assigned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpertAssigned {
    /// Application id.
    pub application: String,
    /// Expert id.
    pub expert: String,
    /// The expert's unit (USCC).
    pub expert_unit_uscc: String,
    /// How the expert came: the reason of a hand assignment, or the draw that drew them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// An expert declared a conflict of interest; the assignment is removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictDeclared {
    /// Application id.
    pub application: String,
    /// Expert id.
    pub expert: String,
    /// Why.
    pub reason: String,
}

/// An expert's review: score and conclusion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewSubmitted {
    /// Application id.
    pub application: String,
    /// Expert id.
    pub expert: String,
    /// Score, exact.
    pub score: Decimal,
    /// Conclusion code.
    pub conclusion: String,
    /// Comments.
    pub comments: String,
}

/// 现场勘验.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteInspectionRecorded {
    /// Application id.
    pub application: String,
    /// Inspectors.
    pub inspectors: Vec<String>,
    /// What they found.
    pub findings: String,
}

/// 认定结论.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationDecided {
    /// Application id.
    pub application: String,
    /// Decision code.
    pub decision: String,
    /// Whether approved.
    pub approved: bool,
    /// Reasons.
    pub reasons: String,
}

/// An application rejected other than by decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationRejected {
    /// Application id.
    pub application: String,
    /// Why.
    pub reason: String,
    /// The consequence rule applied, if any.
    pub consequence: Option<String>,
}

/// 公示 started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicNoticeStarted {
    /// Notice id.
    pub notice: String,
    /// Policy id.
    pub policy: String,
    /// Applications listed.
    pub applications: Vec<String>,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day (the Nth working day).
    pub ends_on: NaiveDate,
}

/// A real-name objection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectionLodged {
    /// Notice id.
    pub notice: String,
    /// Objection id.
    pub objection: String,
    /// Application objected to.
    pub application: String,
    /// 实名.
    pub objector_real_name: String,
    /// Contact.
    pub contact: String,
    /// What is objected.
    pub content: String,
}

/// An objection resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectionResolved {
    /// Notice id.
    pub notice: String,
    /// Objection id.
    pub objection: String,
    /// How it was resolved.
    pub resolution: String,
    /// Whether upheld.
    pub upheld: bool,
}

/// The notice period ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicNoticeEnded {
    /// Notice id.
    pub notice: String,
    /// Its last day.
    pub ends_on: NaiveDate,
}

/// 命名 — a base was named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseNamed {
    /// Base id.
    pub base: String,
    /// Application id.
    pub application: String,
    /// Policy id.
    pub policy: String,
    /// Official name.
    pub official_name: String,
    /// Unit name.
    pub unit_name: String,
    /// Unit USCC.
    pub uscc: String,
    /// Technology domain.
    pub domain: String,
    /// Category code.
    pub category: Option<String>,
    /// Director's name.
    pub director: String,
    /// Primary partner country.
    pub partner_country: Option<String>,
    /// Naming date.
    pub named_on: NaiveDate,
    /// Whether it takes periodic evaluations.
    pub evaluated: bool,
}

/// A base recognised earlier joined the register under a transitional article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseCarriedOver {
    /// Base id.
    pub base: String,
    /// Policy id.
    pub policy: String,
    /// Official name.
    pub official_name: String,
    /// Unit name.
    pub unit_name: String,
    /// Unit USCC.
    pub uscc: String,
    /// Technology domain.
    pub domain: String,
    /// Old category name.
    pub old_category: Option<String>,
    /// New category code.
    pub category: Option<String>,
    /// Director.
    pub director: String,
    /// Primary partner country.
    pub partner_country: Option<String>,
    /// When it was originally recognised.
    #[serde(deserialize_with = "crate::date_de::date")]
    pub recognised_on: NaiveDate,
    /// A national base joining (Hubei 第三十条).
    pub national: bool,
    /// A base recognised before the policy (Hubei 第三十一条).
    pub legacy: bool,
    /// Whether it takes periodic evaluations.
    pub evaluated: bool,
    /// The date evaluation cycles count from.
    #[serde(deserialize_with = "crate::date_de::date")]
    pub evaluation_anchor: NaiveDate,
}

/// Category changed on request (Hunan 第二十二条).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseReclassified {
    /// Base id.
    pub base: String,
    /// Old category.
    pub from: Option<String>,
    /// New category.
    pub to: String,
    /// Reasons.
    pub reasons: String,
}

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
