//! 现场考察抽取 — 双随机、一公开: bases drawn at random for site inspection, inspectors drawn at
//! random from the expert pool, everything recorded so that anyone can rerun the draw.
//!
//! The commands and events live here with the pure computation both share: [`compute`] takes the
//! published inputs (seed, parameters, candidates, pool, declared conflicts, avoidance grounds)
//! and gives the selection; the handler records its inputs and output in one event, and
//! [`InspectionsDrawn::rerun`] recomputes the selection from the event alone.

use guohe_policy::draws::Avoidance;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::draw::{self, DrawRng};

/// What the inspection is part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionPurpose {
    /// 年度考核 (Hubei 第二十二条).
    AnnualAssessment,
    /// 评估 (Hubei 第二十四条, Hunan 第十五条).
    Evaluation,
}

impl InspectionPurpose {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            InspectionPurpose::AnnualAssessment => "年度考核",
            InspectionPurpose::Evaluation => "评估",
        }
    }
    /// The code as written in commands.
    pub fn code(self) -> &'static str {
        match self {
            InspectionPurpose::AnnualAssessment => "annual_assessment",
            InspectionPurpose::Evaluation => "evaluation",
        }
    }
}

/// 分层 — how the candidates are split before drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Strata {
    /// One list.
    #[default]
    None,
    /// By prefecture (地市), read from the support unit's USCC: characters 3–6 of its 登记管理机关
    /// 行政区划码 followed by `00`.
    Prefecture,
    /// By the base's category.
    Category,
}

impl Strata {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Strata::None => "不分层",
            Strata::Prefecture => "按地市分层",
            Strata::Category => "按类别分层",
        }
    }
}

/// An expert of the pool (专家库).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolExpert {
    /// Expert id (the account's login).
    pub id: String,
    /// The expert's unit (USCC).
    pub unit_uscc: String,
}

/// A conflict an expert declared with a support unit (回避申明), before the draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitConflict {
    /// Expert id.
    pub expert: String,
    /// The support unit (USCC).
    pub uscc: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// 抽取现场考察基地和考察专家.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawInspections {
    /// The draw's id (e.g. `HB-2026-ANNUAL`).
    pub id: String,
    /// Policy id: the bases under it are the candidates.
    pub policy: String,
    /// Annual assessment or evaluation.
    pub purpose: InspectionPurpose,
    /// The assessment or evaluation year.
    pub year: i32,
    /// Share of the candidates to draw, in (0, 1], rounded up; or give `count`.
    #[serde(default)]
    pub share: Option<Decimal>,
    /// How many bases to draw; or give `share`.
    #[serde(default)]
    pub count: Option<u32>,
    /// Strata.
    #[serde(default)]
    pub strata: Strata,
    /// Inspectors per base (default: the policy's).
    #[serde(default)]
    pub inspectors_per_base: Option<u32>,
    /// The seed, published with the result.
    pub seed: String,
    /// The expert pool (the API and the pages fill in the province's experts when it is empty).
    #[serde(default)]
    pub pool: Vec<PoolExpert>,
    /// Conflicts declared before the draw.
    #[serde(default)]
    pub conflicts: Vec<UnitConflict>,
}

/// 记录现场考察结果 — the result of inspecting one drawn base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInspectionResult {
    /// The draw's id.
    pub draw: String,
    /// The base inspected (must be one drawn).
    pub base: String,
    /// What the inspectors found.
    pub findings: String,
}

/// A candidate base, as it stood when drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawCandidate {
    /// Base id (the sort key).
    pub base: String,
    /// Official name.
    pub name: String,
    /// Support unit USCC.
    pub uscc: String,
    /// Stratum key (empty when not stratified).
    pub stratum: String,
}

/// How many of a stratum were drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumQuota {
    /// Stratum key.
    pub stratum: String,
    /// Candidates in it.
    pub candidates: u32,
    /// Drawn from it.
    pub drawn: u32,
}

/// A drawn base and its inspectors, in the order drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawnBase {
    /// Base id.
    pub base: String,
    /// Stratum key.
    pub stratum: String,
    /// Inspectors, in the order drawn.
    pub inspectors: Vec<String>,
}

/// An expert kept off a base, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorExclusion {
    /// Base id.
    pub base: String,
    /// Expert id.
    pub expert: String,
    /// The ground (`own_unit`, `declared_conflict`).
    pub reason: Avoidance,
    /// The declared reason, for a declared conflict.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// 现场考察抽取结果 — everything needed to rerun the draw, and its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionsDrawn {
    /// The draw's id.
    pub draw: String,
    /// Policy id.
    pub policy: String,
    /// Annual assessment or evaluation.
    pub purpose: InspectionPurpose,
    /// The year.
    pub year: i32,
    /// The share asked for, if a share was given.
    #[serde(default)]
    pub share: Option<Decimal>,
    /// How many bases were drawn in all.
    pub count: u32,
    /// Strata.
    pub strata: Strata,
    /// Inspectors per base.
    pub inspectors_per_base: u32,
    /// The seed.
    pub seed: String,
    /// The generator (`guohe-draw/1`).
    pub algorithm: String,
    /// The avoidance grounds applied, from the policy.
    pub avoidance: Vec<Avoidance>,
    /// Every candidate, in key order.
    pub candidates: Vec<DrawCandidate>,
    /// Each stratum's quota, in key order.
    pub quotas: Vec<StratumQuota>,
    /// The expert pool, in id order.
    pub pool: Vec<PoolExpert>,
    /// Conflicts declared before the draw.
    pub conflicts: Vec<UnitConflict>,
    /// The drawn bases with their inspectors.
    pub selected: Vec<DrawnBase>,
    /// Every expert kept off a drawn base, with the ground.
    pub exclusions: Vec<InspectorExclusion>,
}

/// 现场考察结果.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionResultRecorded {
    /// The draw's id.
    pub draw: String,
    /// Base id.
    pub base: String,
    /// The inspectors who went (from the draw).
    pub inspectors: Vec<String>,
    /// What they found.
    pub findings: String,
}

/// What a draw computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Each stratum's quota.
    pub quotas: Vec<StratumQuota>,
    /// Drawn bases with inspectors.
    pub selected: Vec<DrawnBase>,
    /// Exclusions.
    pub exclusions: Vec<InspectorExclusion>,
}

/// Why a draw cannot be completed: too few eligible inspectors for a base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// The base.
    pub base: String,
    /// Eligible inspectors left after avoidance.
    pub eligible: usize,
    /// Needed.
    pub needed: usize,
}

/// The stratum key of a base: empty, its category, or its prefecture from the USCC's
/// administrative division code (characters 3–8; the first four of them name the prefecture).
pub fn stratum_of(strata: Strata, uscc: &str, category: Option<&str>) -> String {
    match strata {
        Strata::None => String::new(),
        Strata::Category => category.unwrap_or("none").to_string(),
        Strata::Prefecture => {
            let division: String = uscc.chars().skip(2).take(4).collect();
            format!("{division}00")
        }
    }
}

fn byte_key(a: &str, b: &str) -> std::cmp::Ordering {
    a.as_bytes().cmp(b.as_bytes())
}

/// The draw itself, pure: candidates are sorted by base id and grouped into strata in key order;
/// each stratum's quota comes from [`draw::allocate`]; each stratum's bases are chosen with one
/// generator; then, for each drawn base in the order drawn, its inspectors are chosen from the
/// pool (sorted by id) less the experts avoidance keeps off it, with the same generator.
pub fn compute(
    seed: &str,
    total: usize,
    inspectors_per_base: usize,
    candidates: &[DrawCandidate],
    pool: &[PoolExpert],
    conflicts: &[UnitConflict],
    avoidance: &[Avoidance],
) -> Result<Selection, Shortfall> {
    let mut cands: Vec<&DrawCandidate> = candidates.iter().collect();
    cands.sort_by(|a, b| byte_key(&a.base, &b.base));
    let mut strata: Vec<String> = cands.iter().map(|c| c.stratum.clone()).collect();
    strata.sort_by(|a, b| byte_key(a, b));
    strata.dedup();
    let members: Vec<Vec<&DrawCandidate>> = strata
        .iter()
        .map(|s| cands.iter().copied().filter(|c| &c.stratum == s).collect())
        .collect();
    let sizes: Vec<usize> = members.iter().map(Vec::len).collect();
    let quota = draw::allocate(total, &sizes);
    let mut rng = DrawRng::new(seed);
    let mut quotas = Vec::new();
    let mut chosen: Vec<&DrawCandidate> = Vec::new();
    for ((s, m), q) in strata.iter().zip(&members).zip(&quota) {
        quotas.push(StratumQuota {
            stratum: s.clone(),
            candidates: m.len() as u32,
            drawn: *q as u32,
        });
        chosen.extend(rng.choose(m, *q));
    }
    let mut experts: Vec<&PoolExpert> = pool.iter().collect();
    experts.sort_by(|a, b| byte_key(&a.id, &b.id));
    experts.dedup_by(|a, b| a.id == b.id);
    let mut selected = Vec::new();
    let mut exclusions = Vec::new();
    for c in chosen {
        let mut eligible = Vec::new();
        for e in &experts {
            match avoided(c, e, conflicts, avoidance) {
                Some((reason, detail)) => exclusions.push(InspectorExclusion {
                    base: c.base.clone(),
                    expert: e.id.clone(),
                    reason,
                    detail,
                }),
                None => eligible.push(e.id.clone()),
            }
        }
        if eligible.len() < inspectors_per_base {
            return Err(Shortfall {
                base: c.base.clone(),
                eligible: eligible.len(),
                needed: inspectors_per_base,
            });
        }
        selected.push(DrawnBase {
            base: c.base.clone(),
            stratum: c.stratum.clone(),
            inspectors: rng.choose(&eligible, inspectors_per_base),
        });
    }
    Ok(Selection {
        quotas,
        selected,
        exclusions,
    })
}

fn avoided(
    c: &DrawCandidate,
    e: &PoolExpert,
    conflicts: &[UnitConflict],
    avoidance: &[Avoidance],
) -> Option<(Avoidance, String)> {
    for a in avoidance {
        match a {
            Avoidance::OwnUnit if e.unit_uscc.trim().eq_ignore_ascii_case(c.uscc.trim()) => {
                return Some((*a, String::new()));
            }
            Avoidance::DeclaredConflict => {
                if let Some(x) = conflicts
                    .iter()
                    .find(|x| x.expert == e.id && x.uscc.trim().eq_ignore_ascii_case(c.uscc.trim()))
                {
                    return Some((*a, x.reason.clone()));
                }
            }
            _ => {}
        }
    }
    None
}

impl InspectionsDrawn {
    /// Recomputes the selection from the published inputs in this event alone; equal to the
    /// recorded `quotas`, `selected` and `exclusions` for every genuine draw.
    pub fn rerun(&self) -> Result<Selection, Shortfall> {
        compute(
            &self.seed,
            self.count as usize,
            self.inspectors_per_base as usize,
            &self.candidates,
            &self.pool,
            &self.conflicts,
            &self.avoidance,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(base: &str, uscc: &str, stratum: &str) -> DrawCandidate {
        DrawCandidate {
            base: base.into(),
            name: format!("{base}基地"),
            uscc: uscc.into(),
            stratum: stratum.into(),
        }
    }

    fn expert(id: &str, unit: &str) -> PoolExpert {
        PoolExpert {
            id: id.into(),
            unit_uscc: unit.into(),
        }
    }

    #[test]
    fn prefecture_from_the_uscc_division_code() {
        // 91420100… is registered in 武汉市 (4201xx).
        assert_eq!(stratum_of(Strata::Prefecture, "91420106MA4K000001", None), "420100");
        assert_eq!(stratum_of(Strata::Category, "x", Some("key")), "key");
        assert_eq!(stratum_of(Strata::None, "x", Some("key")), "");
    }

    /// The published vector of docs/draws.md: its expected selection was computed by the
    /// independent Python script there, not by this code.
    #[test]
    fn stratified_draw_matches_the_published_vector() {
        let c = [
            cand("HB-01", "U01", "420100"),
            cand("HB-02", "U02", "420100"),
            cand("HB-03", "U03", "420100"),
            cand("HB-04", "U04", "420500"),
            cand("HB-05", "U05", "420500"),
            cand("HB-06", "U06", "420600"),
            cand("HB-07", "U07", "420100"),
        ];
        let pool = [
            expert("e1", "U01"),
            expert("e2", "U02"),
            expert("e3", "U04"),
            expert("e4", "X"),
            expert("e5", "Y"),
        ];
        let conflicts = [UnitConflict {
            expert: "e4".into(),
            uscc: "U05".into(),
            reason: "合作项目".into(),
        }];
        let all = [Avoidance::OwnUnit, Avoidance::DeclaredConflict];
        let s = compute("鄂科技-2026-年度考核", 4, 2, &c, &pool, &conflicts, &all).unwrap();
        let got: Vec<(String, String, Vec<String>)> = s
            .selected
            .iter()
            .map(|d| (d.base.clone(), d.stratum.clone(), d.inspectors.clone()))
            .collect();
        let want = [
            ("HB-01", "420100", ["e5", "e4"]),
            ("HB-07", "420100", ["e3", "e1"]),
            ("HB-05", "420500", ["e2", "e3"]),
            ("HB-06", "420600", ["e2", "e1"]),
        ];
        let want: Vec<(String, String, Vec<String>)> = want
            .iter()
            .map(|(b, s, i)| (b.to_string(), s.to_string(), i.iter().map(|x| x.to_string()).collect()))
            .collect();
        assert_eq!(got, want);
        let q: Vec<(u32, u32)> = s.quotas.iter().map(|q| (q.candidates, q.drawn)).collect();
        assert_eq!(q, vec![(4, 2), (2, 1), (1, 1)]);
        // HB-01's own-unit expert and HB-05's declared conflict are recorded.
        assert!(
            s.exclusions
                .iter()
                .any(|x| x.base == "HB-01" && x.expert == "e1" && x.reason == Avoidance::OwnUnit)
        );
        assert!(
            s.exclusions
                .iter()
                .any(|x| x.base == "HB-05" && x.expert == "e4" && x.reason == Avoidance::DeclaredConflict)
        );
    }

    #[test]
    fn avoidance_keeps_own_unit_and_declared_conflicts_off() {
        let c = [cand("B1", "U1", "")];
        let pool = [expert("e1", "U1"), expert("e2", "U2"), expert("e3", "U3")];
        let conflicts = [UnitConflict {
            expert: "e2".into(),
            uscc: "U1".into(),
            reason: "曾任该单位顾问".into(),
        }];
        let all = [Avoidance::OwnUnit, Avoidance::DeclaredConflict];
        let s = compute("s", 1, 1, &c, &pool, &conflicts, &all).unwrap();
        assert_eq!(s.selected[0].inspectors, vec!["e3".to_string()]);
        assert_eq!(s.exclusions.len(), 2);
        assert_eq!(s.exclusions[0].reason, Avoidance::OwnUnit);
        assert_eq!(s.exclusions[1].detail, "曾任该单位顾问");
        let short = compute("s", 1, 2, &c, &pool, &conflicts, &all).unwrap_err();
        assert_eq!((short.eligible, short.needed), (1, 2));
        // Without the grounds in the policy, nobody is kept off.
        let s = compute("s", 1, 3, &c, &pool, &conflicts, &[]).unwrap();
        assert!(s.exclusions.is_empty());
    }
}
