//! 认定 — the events of rounds, applications, review, public notice and naming.

use chrono::NaiveDate;
use guohe_policy::Application;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

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
