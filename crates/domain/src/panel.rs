//! 评审专家随机抽取 — an application's review panel drawn at random from the expert pool, with
//! reserves in order, avoidance automatic and recorded; a member who declines is replaced by the
//! next reserve.

use serde::{Deserialize, Serialize};

use crate::draw::DrawRng;
use crate::inspection::UnitConflict;

/// An expert of the pool, with the domains they review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PanelExpert {
    /// Expert id (the account's login).
    pub id: String,
    /// The expert's unit (USCC).
    pub unit_uscc: String,
    /// 专业领域 — the technology domains the expert reviews.
    #[serde(default)]
    pub domains: Vec<String>,
}

/// 抽取评审专家.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawExpertPanel {
    /// Application id.
    pub application: String,
    /// Panel size (default: the policy's `min_experts`).
    #[serde(default)]
    pub size: Option<u32>,
    /// The seed, published with the result.
    pub seed: String,
    /// The expert pool (the API and the pages fill in the province's expert accounts when it
    /// is left out).
    #[serde(default)]
    pub pool: Vec<PanelExpert>,
    /// Conflicts declared with the draw (回避申明): each keeps its expert off the panel and off
    /// the reserves when it names the applicant's unit.
    #[serde(default)]
    pub conflicts: Vec<UnitConflict>,
}

/// 专家谢绝 — a panel member declines; the next reserve is called in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclinePanelSeat {
    /// Application id.
    pub application: String,
    /// The expert who declines.
    pub expert: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// An expert kept off a panel, and why (`already_assigned`, `own_unit`, `declared_conflict`,
/// `domain`, `recent_review`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelExclusion {
    /// Expert id.
    pub expert: String,
    /// The ground.
    pub reason: String,
    /// Detail (the application reviewed, the conflict).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// 评审专家抽取结果 — seed, pool, exclusions, panel and reserves in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpertPanelDrawn {
    /// Application id.
    pub application: String,
    /// The application's technology domain, matched against the experts'.
    pub domain: String,
    /// The seed.
    pub seed: String,
    /// The generator (`guohe-draw/1`).
    pub algorithm: String,
    /// The pool, sorted by id.
    pub pool: Vec<PanelExpert>,
    /// The conflicts the draw avoided: those given with it and those declared on an application
    /// of the same unit, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<UnitConflict>,
    /// Every expert kept off, with the ground.
    pub exclusions: Vec<PanelExclusion>,
    /// The eligible experts, sorted by id: what the draw chose from.
    pub eligible: Vec<String>,
    /// The panel, in the order drawn.
    pub panel: Vec<String>,
    /// The reserves, in the order they are called in.
    pub reserves: Vec<String>,
}

/// A member declined; `replaced_by` is the reserve called in, if one was left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelSeatDeclined {
    /// Application id.
    pub application: String,
    /// The expert who declined.
    pub expert: String,
    /// Why.
    pub reason: String,
    /// The reserve called in.
    pub replaced_by: Option<String>,
}

/// Draws `size + reserves` of the eligible experts (sorted by id) with the published generator
/// (docs/draws.md): the first `size` drawn form the panel, the rest are the reserves in order.
pub fn choose_panel(seed: &str, eligible: &[String], size: usize, reserves: usize) -> (Vec<String>, Vec<String>) {
    let mut sorted = eligible.to_vec();
    sorted.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    let mut all = DrawRng::new(seed).choose(&sorted, size + reserves);
    let reserve = all.split_off(size.min(all.len()));
    (all, reserve)
}

impl ExpertPanelDrawn {
    /// Recomputes panel and reserves from the published record.
    pub fn rerun(&self) -> (Vec<String>, Vec<String>) {
        choose_panel(&self.seed, &self.eligible, self.panel.len(), self.reserves.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written down from the Python script of docs/draws.md (`choose` of 5 of e1…e6 with seed
    /// `panel-1`), not from this code.
    #[test]
    fn panel_and_reserves_follow_the_published_generator() {
        let eligible: Vec<String> = (1..=6).map(|i| format!("e{i}")).collect();
        let (panel, reserves) = choose_panel("panel-1", &eligible, 3, 2);
        assert_eq!(panel, PANEL);
        assert_eq!(reserves, RESERVES);
    }

    const PANEL: [&str; 3] = ["e1", "e5", "e2"];
    const RESERVES: [&str; 2] = ["e4", "e3"];
}
