//! 认定程序 — the recognition procedure: application, recommendation, expert review, public
//! notice and naming.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::citation::ArticleRef;

/// The recognition procedure.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// 申报 — applications, normally once a year in rounds.
    pub application: Step,
    /// 推荐 — who must recommend, and who applies directly.
    pub recommendation: Recommendation,
    /// 专家评审 — expert review.
    pub expert_review: ExpertReview,
    /// 认定 — the decision.
    pub decision: Step,
    /// 公示 — public notice.
    pub public_notice: PublicNotice,
    /// 命名 — naming, announcement and plaque.
    pub naming: Naming,
}

/// A procedural step and its article.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The article prescribing the step.
    pub article: ArticleRef,
}

/// 推荐 — recommendation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    /// The article prescribing recommendation.
    pub article: ArticleRef,
    /// Unit affiliations that apply directly, without a recommender (Hubei 第六条: central and
    /// provincial units in Hubei).
    #[serde(default)]
    pub direct_for_affiliations: Vec<Affiliation>,
    /// The article allowing direct application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_article: Option<ArticleRef>,
}

/// 隶属关系 — whom a unit belongs to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Affiliation {
    /// 央属 — central government or central enterprise.
    Central,
    /// 省属 — provincial.
    Provincial,
    /// 地方 — city, prefecture or county.
    Local,
}

/// 专家评审 — expert review.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpertReview {
    /// The article prescribing expert review.
    pub article: ArticleRef,
    /// Lowest allowed score.
    pub score_min: Decimal,
    /// Highest allowed score.
    pub score_max: Decimal,
    /// Minimum number of experts per application.
    pub min_experts: u32,
    /// 现场勘验 — the article allowing site inspection, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_inspection: Option<ArticleRef>,
    /// 随机抽取评审专家 — panels drawn at random with reserves, when the policy sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel_draw: Option<crate::draws::PanelDraw>,
}

/// 公示 — public notice.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicNotice {
    /// The article prescribing the notice.
    pub article: ArticleRef,
    /// 不少于N个工作日 — minimum length in Chinese working days.
    pub working_days: u32,
    /// How working days are counted from the first day of the notice.
    pub counting: Counting,
    /// The article on real-name objections.
    pub objections_article: ArticleRef,
    /// Whether every objection must be resolved before naming.
    pub objections_block_naming: bool,
}

/// How the Nth working day is counted from a start date.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// The start date is working day 1 when it is a working day.
    IncludeStart,
    /// Day 1 is the first working day after the start date.
    ExcludeStart,
}

/// 命名 — naming.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Naming {
    /// The article giving the naming rule.
    pub article: ArticleRef,
    /// The official name template; placeholders `{domain}`, `{category_suffix}`, `{unit}`.
    pub template: String,
    /// 公告 — the article on announcing the name.
    pub announcement_article: ArticleRef,
}
