//! 双随机、一公开 — the policy's parameters of random site-inspection draws.

use serde::{Deserialize, Serialize};

use crate::citation::ArticleRef;

/// 抽选现场考察 — which articles allow drawing bases for site inspection, how many inspectors go
/// to each, and whom they must not be.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectionDraw {
    /// The article allowing a draw in the annual assessment (Hubei 第二十二条第一款
    /// “抽选部分单位现场考察”); absent when the policy has no annual assessment, and a draw for one
    /// is then refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_assessment: Option<ArticleRef>,
    /// The article behind site inspections in the periodic evaluation (Hubei 第二十四条, Hunan
    /// 第十五条).
    pub evaluation: ArticleRef,
    /// Inspectors drawn for each base unless the draw says otherwise.
    pub inspectors_per_base: u32,
    /// The most inspectors a draw may ask for each base.
    pub max_inspectors_per_base: u32,
    /// 回避 — the grounds on which an expert is kept off a base.
    pub avoidance: Vec<Avoidance>,
    /// The interpretation of the article's words (the regulations do not say how to choose).
    pub interpretation: String,
}

/// A ground of avoidance (回避) for an inspector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Avoidance {
    /// The expert works at the base's support unit (USCC equal).
    OwnUnit,
    /// The expert declared a conflict with the base's support unit.
    DeclaredConflict,
}

impl Avoidance {
    /// The code as written in the policy and the event.
    pub fn code(self) -> &'static str {
        match self {
            Avoidance::OwnUnit => "own_unit",
            Avoidance::DeclaredConflict => "declared_conflict",
        }
    }

    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Avoidance::OwnUnit => "专家所在单位即被考察基地的依托单位",
            Avoidance::DeclaredConflict => "专家已就该依托单位申明回避",
        }
    }
}

/// 评审专家随机抽取 — drawing an application's review panel from the expert pool, with reserves.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelDraw {
    /// Reserves drawn in order behind the panel (候补), called in one by one when a member
    /// declines.
    pub reserves: u32,
    /// 回避期 — an expert who reviewed an application of the same unit within this many years
    /// before the draw is kept off the panel.
    pub recent_review_years: u32,
}
