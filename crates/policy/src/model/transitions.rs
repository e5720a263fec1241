//! 附则 — the transitional articles: old categories mapped to new, legacy bases.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Step;
use crate::citation::ArticleRef;

/// Transitional articles.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Transitions {
    /// Hunan 第二十二条: old categories mapped to new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_mapping: Option<CategoryMapping>,
    /// Hubei 第三十条: national bases join without re-recognition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_bases_join: Option<Step>,
    /// Hubei 第三十一条: bases recognised before the policy: annual assessment only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_bases: Option<LegacyBases>,
}

/// Hunan 第二十二条.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryMapping {
    /// The article.
    pub article: ArticleRef,
    /// Old category name → new category code.
    pub map: Vec<OldCategory>,
    /// Whether the unit may ask to be re-categorised (如有异议…可申请重新认定类别).
    pub reclassification_on_request: bool,
}

/// One old category.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OldCategory {
    /// Old name as written in the article.
    pub old: String,
    /// New category code.
    pub new: String,
}

/// Hubei 第三十一条.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyBases {
    /// The article.
    pub article: ArticleRef,
    /// Bases recognised before this date are legacy bases.
    pub recognised_before: NaiveDate,
    /// Whether legacy bases take the periodic evaluation (31: 原则上不安排).
    pub evaluated: bool,
}
