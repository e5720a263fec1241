//! A generated year, phase by phase: what each province's actors do on each date. Every phase
//! reads the world as the previous phases left it and gives commands; the clock is ticked to the
//! phase's date first, so deadlines (missing annual reports, evaluations falling due, notice and
//! rectification periods ending) are applied by the rules, not by the generator.
//!
//! Shares (about 1 in 30 annual reports missing, 6% of annual grades 不合格, 15% of evaluations
//! 优秀 and 8% 不合格, a third of re-evaluations still 不合格, one finding per 250 bases) are the
//! generator's assumptions of a realistic year, not rules; where a province has enough cases
//! each outcome occurs at least once a year, so even a small run shows every path.

use chrono::{Datelike, NaiveDate};
use guohe_domain::{Actor, BaseStatus, Command, World};
use guohe_policy::Policy;
use serde_json::{Value, json};

mod rounds;

use super::facts::{self, Rng};
use super::provinces::{Prefecture, Province, Template};
use super::{GenerateError, Options, Step};
use crate::{AppError, Guohe};

/// What a phase does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PhaseKind {
    Reports,
    Assessments,
    CarryOver,
    Round,
    Submit,
    Recommend,
    Assign,
    Review,
    Decide,
    Notice,
    Objection,
    Resolve,
    Name,
    Evaluate,
    ReEvaluate,
    FileChanges,
    ApproveChanges,
    Findings,
    YearEnd,
}

/// A phase on a fixed day of every year.
#[derive(Debug, Clone, Copy)]
pub(super) struct Phase {
    pub kind: PhaseKind,
    month: u32,
    day: u32,
    /// For progress reports.
    pub zh: &'static str,
}

impl Phase {
    pub fn date(&self, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, self.month, self.day).unwrap_or_default()
    }
}

const fn ph(kind: PhaseKind, month: u32, day: u32, zh: &'static str) -> Phase {
    Phase { kind, month, day, zh }
}

/// The year, in date order (the clock only goes forward).
pub(super) const PHASES: &[Phase] = &[
    ph(PhaseKind::Reports, 1, 10, "年度报告"),
    ph(PhaseKind::Assessments, 2, 20, "年度考核"),
    ph(PhaseKind::CarryOver, 2, 25, "纳入过渡基地"),
    ph(PhaseKind::Round, 3, 1, "开启申报批次"),
    ph(PhaseKind::Submit, 3, 15, "提交申报"),
    ph(PhaseKind::Recommend, 3, 22, "推荐"),
    ph(PhaseKind::Assign, 4, 1, "分配专家"),
    ph(PhaseKind::Review, 4, 12, "专家评审"),
    ph(PhaseKind::Decide, 4, 26, "认定决定"),
    ph(PhaseKind::Notice, 6, 1, "公示"),
    ph(PhaseKind::Objection, 6, 2, "异议"),
    ph(PhaseKind::Resolve, 6, 4, "异议处理"),
    ph(PhaseKind::Name, 6, 22, "命名"),
    ph(PhaseKind::Evaluate, 7, 1, "绩效评估"),
    ph(PhaseKind::ReEvaluate, 7, 2, "整改复评"),
    ph(PhaseKind::FileChanges, 9, 10, "重大事项报告"),
    ph(PhaseKind::ApproveChanges, 9, 20, "重大事项审核"),
    ph(PhaseKind::Findings, 10, 20, "查实情形"),
    ph(PhaseKind::YearEnd, 12, 31, "年末"),
];

/// One province's generator state.
pub(super) struct Prov {
    p: Province,
    template: Template,
    policy: Policy,
    prefectures: Vec<Prefecture>,
    /// (id, unit USCC) of the province's expert pool.
    experts: Vec<(String, String)>,
    dept: Actor,
    carried: u32,
    /// Bases to name per active year.
    quotas: std::collections::BTreeMap<i32, u32>,
    first_active: Option<i32>,
    serial: u32,
    rng: Rng,
    /// This year's applications.
    apps: Vec<String>,
    /// This year's major changes: (base, change id).
    changes: Vec<(String, String)>,
}

/// The provinces of a run.
pub(super) struct Run {
    pub provinces: Vec<Prov>,
}

fn err(e: impl std::fmt::Display) -> GenerateError {
    GenerateError::App(AppError::Corrupt(format!("generated command: {e}")))
}

impl Run {
    pub fn new(o: &Options) -> Result<Run, GenerateError> {
        let start = o.start_year();
        let mut provinces = Vec::new();
        for p in o.provinces() {
            let policy = p.policy(start, o.years).map_err(err)?;
            let in_force = |y: i32| {
                let d = |m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
                guohe_policy::check_in_force(&policy, d(3, 1)).is_ok()
                    && guohe_policy::check_in_force(&policy, d(7, 1)).is_ok()
            };
            let active: Vec<i32> = (start..=o.until.year())
                .filter(|y| in_force(*y) && naming_date(*y) <= o.until)
                .collect();
            let b = o.bases_per_province;
            let carried = if active.is_empty() || b < 2 {
                b
            } else {
                (b * 2 / 5).max(1)
            };
            let named = b - carried;
            let mut quotas = std::collections::BTreeMap::new();
            for (i, y) in active.iter().enumerate() {
                let n = active.len() as u32;
                quotas.insert(*y, named / n + u32::from((i as u32) < named % n));
            }
            let prefectures = p.prefectures();
            let code: u64 = p.code.parse().unwrap_or(0);
            let mut rng = Rng::new(o.seed.wrapping_mul(1_000_003).wrapping_add(code));
            let lower = p.alpha.to_lowercase();
            let experts = (1..=12u32)
                .map(|n| {
                    let d = &prefectures[rng.below(prefectures.len())];
                    (format!("{lower}-expert-{n:02}"), facts::uscc("12", &d.code, "EX", n))
                })
                .collect();
            provinces.push(Prov {
                template: p.template(),
                prefectures,
                experts,
                dept: Actor::department(&format!("{lower}-dept")),
                carried,
                quotas,
                // Bases are carried over in the first year the policy is in force; with no
                // round in the period, in the first year at all.
                first_active: active.first().copied().or(if in_force_any(&policy, start, o) {
                    Some(start)
                } else {
                    None
                }),
                serial: 0,
                rng,
                apps: Vec::new(),
                changes: Vec::new(),
                policy,
                p: *p,
            });
        }
        Ok(Run { provinces })
    }
}

/// The day of the year's naming: a round counts only in a year whose naming the period reaches.
fn naming_date(year: i32) -> NaiveDate {
    PHASES
        .iter()
        .find(|p| p.kind == PhaseKind::Name)
        .map(|p| p.date(year))
        .unwrap_or_default()
}

fn in_force_any(policy: &Policy, start: i32, o: &Options) -> bool {
    (start..=o.until.year()).any(|y| {
        let d = NaiveDate::from_ymd_opt(y, 2, 25).unwrap_or_default();
        guohe_policy::check_in_force(policy, d).is_ok()
    })
}

fn command(v: Value) -> Result<Command, GenerateError> {
    serde_json::from_value(v).map_err(err)
}

fn actor(text: &str) -> Result<Actor, GenerateError> {
    Actor::parse(text).map_err(err)
}

struct Steps {
    on: NaiveDate,
    steps: Vec<Step>,
}

impl Steps {
    fn new(on: NaiveDate) -> Steps {
        Steps {
            on,
            steps: vec![Step::Tick(on)],
        }
    }
    fn push(&mut self, who: &Actor, v: Value) -> Result<(), GenerateError> {
        self.steps.push(Step::Command {
            actor: who.clone(),
            on: self.on,
            command: Box::new(command(v)?),
        });
        Ok(())
    }
}

/// `k` of `n` items chosen at random, in their original order.
fn choose(rng: &mut Rng, n: usize, k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    for i in 0..k.min(n) {
        let j = i + rng.below(n - i);
        idx.swap(i, j);
    }
    let mut out = idx[..k.min(n)].to_vec();
    out.sort_unstable();
    out
}

/// Grades for `n` cases: `bad` of them `low`, `good` of them `high`, the rest `mid`, at random.
fn grades<'a>(
    rng: &mut Rng,
    n: usize,
    good: usize,
    bad: usize,
    high: &'a str,
    mid: &'a str,
    low: &'a str,
) -> Vec<&'a str> {
    let mut out = vec![mid; n];
    let picks = choose(rng, n, (good + bad).min(n));
    let mut order: Vec<usize> = picks;
    // Shuffle which of the picked get the low grade.
    for i in (1..order.len()).rev() {
        let j = rng.below(i + 1);
        order.swap(i, j);
    }
    for (k, i) in order.into_iter().enumerate() {
        out[i] = if k < bad { low } else { high };
    }
    out
}

/// At least one when there are `min_cases` or more, else the share.
fn share(n: usize, percent: usize, min_cases: usize) -> usize {
    let s = n * percent / 100;
    if s == 0 && n >= min_cases { 1 } else { s }
}

impl Prov {
    fn policy_id(&self) -> &str {
        &self.policy.id
    }
    fn lower(&self) -> String {
        self.p.alpha.to_lowercase()
    }
    fn recommender(&self, region: &str) -> (String, String) {
        let name = self
            .prefectures
            .iter()
            .find(|d| d.code == region)
            .map(|d| d.name.as_str())
            .unwrap_or(self.p.short);
        (
            format!("recommender:{}-rec-{region}", self.lower()),
            format!("{}科学技术局", name.trim_end_matches('市')),
        )
    }
    /// Bases of the province's policy on the register, in id order.
    fn on_register<'w>(&self, w: &'w World) -> Vec<&'w guohe_domain::Base> {
        let mut v: Vec<_> = w
            .bases()
            .filter(|b| b.policy == self.policy.id && b.status.on_register())
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }
    fn round_id(&self, year: i32) -> String {
        format!("{}-{year}", self.p.alpha)
    }
    fn notice_id(&self, year: i32) -> String {
        format!("{}-GS-{year}", self.p.alpha)
    }
    fn category(&mut self) -> Option<String> {
        let cats = &self.policy.vocabularies.categories;
        if cats.is_empty() {
            return None;
        }
        Some(cats[self.rng.below(cats.len())].code.clone())
    }
}

/// What a phase of a province gives: steps to append (with the other provinces' of the same
/// phase), and the events it appended itself (a tick it needed to read, an objection).
#[derive(Default)]
pub(super) struct Phased {
    pub steps: Vec<Step>,
    pub appended: usize,
}

/// Plans one phase of one province.
pub(super) async fn run_phase(
    g: &Guohe,
    pv: &mut Prov,
    phase: &Phase,
    year: i32,
    on: NaiveDate,
) -> Result<Phased, GenerateError> {
    let mut s = Steps::new(on);
    let quota = pv.quotas.get(&year).copied().unwrap_or(0) as usize;
    match phase.kind {
        PhaseKind::Reports => {
            let due: Vec<(String, String)> = g
                .read(|w, _, _| {
                    pv.on_register(w)
                        .into_iter()
                        .filter(|b| {
                            b.entered_on.year() < year
                                && !b.reports.contains_key(&(year - 1))
                                && !b.missing_reports.contains(&(year - 1))
                        })
                        .map(|b| (b.id.clone(), b.uscc.clone()))
                        .collect()
                })
                .await;
            for (base, uscc) in due {
                // About 1 in 30 support units miss the deadline; the clock then applies the rule.
                if pv.rng.below(30) == 0 {
                    continue;
                }
                let who = actor(&format!("unit:{uscc}"))?;
                s.push(
                    &who,
                    json!({"type": "SubmitAnnualReport", "base": base, "year": year - 1, "submitted_on": on}),
                )?;
            }
        }
        PhaseKind::Assessments if pv.policy.lifecycle.annual_assessment.is_some() => {
            let reported: Vec<String> = g
                .read(|w, _, _| {
                    pv.on_register(w)
                        .into_iter()
                        .filter(|b| {
                            b.reports.get(&(year - 1)).is_some_and(|r| !r.late)
                                && !b.annual_grades.contains_key(&(year - 1))
                        })
                        .map(|b| b.id.clone())
                        .collect()
                })
                .await;
            let n = reported.len();
            let gr = grades(
                &mut pv.rng,
                n,
                0,
                share(n, 6, 5),
                "qualified",
                "qualified",
                "unqualified",
            );
            for (base, grade) in reported.iter().zip(gr) {
                s.push(
                    &pv.dept,
                    json!({"type": "RecordAnnualAssessment", "base": base, "year": year - 1, "grade": grade}),
                )?;
            }
        }
        PhaseKind::CarryOver if pv.first_active == Some(year) => {
            let mapping: Vec<(String, String)> = pv
                .policy
                .transitions
                .category_mapping
                .as_ref()
                .map(|m| m.map.iter().map(|x| (x.old.clone(), x.new.clone())).collect())
                .unwrap_or_default();
            for k in 1..=pv.carried {
                pv.serial += 1;
                let d = pv.prefectures[pv.rng.below(pv.prefectures.len())].clone();
                let domain = *pv.rng.pick(facts::DOMAINS);
                let country = *pv.rng.pick(facts::COUNTRIES);
                let unit = facts::company(&mut pv.rng, &d.name, domain, pv.serial);
                let recognised = NaiveDate::from_ymd_opt(
                    year - 1 - pv.rng.below(8) as i32,
                    1 + pv.rng.below(12) as u32,
                    1 + pv.rng.below(28) as u32,
                )
                .unwrap_or(on);
                let old = (!mapping.is_empty()).then(|| mapping[pv.rng.below(mapping.len())].clone());
                let official =
                    guohe_policy::naming::official_name(&pv.policy, domain, old.as_ref().map(|m| m.1.as_str()), &unit)
                        .map_err(err)?;
                let mut v = json!({"type": "CarryOverBase", "base_id": format!("{}-C{k:05}", pv.p.alpha),
                    "policy": pv.policy_id(), "official_name": official, "unit_name": unit,
                    "uscc": facts::uscc("91", &d.code, "MB", pv.serial), "domain": domain,
                    "director": facts::person(&mut pv.rng), "partner_country": country, "recognised_on": recognised});
                if let Some((old, _)) = old {
                    v["old_category"] = json!(old);
                }
                let dept = pv.dept.clone();
                s.push(&dept, v)?;
            }
        }
        PhaseKind::Round
        | PhaseKind::Submit
        | PhaseKind::Recommend
        | PhaseKind::Assign
        | PhaseKind::Review
        | PhaseKind::Decide
        | PhaseKind::Notice
        | PhaseKind::Objection
        | PhaseKind::Resolve
        | PhaseKind::Name => {
            if let Some(n) = rounds::plan(g, pv, phase.kind, year, on, quota, &mut s).await? {
                return Ok(Phased {
                    steps: Vec::new(),
                    appended: n,
                });
            }
        }
        PhaseKind::Evaluate => {
            // Ticked first, so the cycles falling due by today are known.
            let n = g.tick(on).await?.stored.len();
            let due: Vec<String> = g
                .read(|w, _, _| {
                    pv.on_register(w)
                        .into_iter()
                        .filter(|b| {
                            b.status == BaseStatus::Active
                                && b.evaluated
                                && b.evaluations_due as usize
                                    > b.evaluations.iter().filter(|e| !e.re_evaluation).count()
                        })
                        .map(|b| b.id.clone())
                        .collect()
                })
                .await;
            let k = due.len();
            let gr = grades(
                &mut pv.rng,
                k,
                k * 15 / 100,
                share(k, 8, 3),
                "excellent",
                "qualified",
                "unqualified",
            );
            for (base, grade) in due.iter().zip(gr) {
                s.push(
                    &pv.dept,
                    json!({"type": "RecordEvaluation", "base": base, "grade": grade}),
                )?;
            }
            return Ok(Phased {
                steps: s.steps,
                appended: n,
            });
        }
        PhaseKind::ReEvaluate => {
            let due: Vec<String> = g
                .read(|w, _, _| {
                    pv.on_register(w)
                        .into_iter()
                        .filter(|b| matches!(b.status, BaseStatus::UnderRectification { until } if until <= on))
                        .map(|b| b.id.clone())
                        .collect()
                })
                .await;
            let k = due.len();
            let gr = grades(&mut pv.rng, k, 0, k / 3, "qualified", "qualified", "unqualified");
            for (base, grade) in due.iter().zip(gr) {
                s.push(
                    &pv.dept,
                    json!({"type": "RecordReEvaluation", "base": base, "grade": grade}),
                )?;
            }
        }
        PhaseKind::FileChanges if pv.policy.lifecycle.major_changes.is_some() => {
            pv.changes.clear();
            let active: Vec<(String, String)> = g
                .read(|w, _, _| {
                    pv.on_register(w)
                        .into_iter()
                        .filter(|b| b.status == BaseStatus::Active)
                        .map(|b| (b.id.clone(), b.uscc.clone()))
                        .collect()
                })
                .await;
            let kinds: Vec<String> = pv
                .policy
                .vocabularies
                .major_change_kinds
                .iter()
                .map(|t| t.code.clone())
                .collect();
            let n = share(active.len(), 3, 3);
            let voluntary = kinds.iter().any(|k| k == "voluntary_termination") && active.len() >= 10;
            let picks = choose(&mut pv.rng, active.len(), n + usize::from(voluntary));
            for (k, i) in picks.into_iter().enumerate() {
                let (base, uscc) = &active[i];
                let change = format!("C{year}-{:02}", k + 1);
                let v = if voluntary && k == 0 {
                    json!({"type": "FileMajorChange", "base": base, "change_id": change, "kind": "voluntary_termination",
                        "details": {"description": "依托单位战略调整，合作方向转移，申请主动提前终止命名。"}})
                } else if pv.rng.below(2) == 0 {
                    json!({"type": "FileMajorChange", "base": base, "change_id": change, "kind": "director",
                        "details": {"description": "原负责人工作调动，基地负责人变更。", "director": facts::person(&mut pv.rng)}})
                } else {
                    json!({"type": "FileMajorChange", "base": base, "change_id": change, "kind": "partner_country",
                        "details": {"description": "主要合作伙伴调整，主要合作国别改变。", "partner_country": *pv.rng.pick(facts::COUNTRIES)}})
                };
                s.push(&actor(&format!("unit:{uscc}"))?, v)?;
                pv.changes.push((base.clone(), change));
            }
        }
        PhaseKind::ApproveChanges if pv.policy.lifecycle.major_changes.is_some() => {
            let approval = pv
                .policy
                .lifecycle
                .major_changes
                .as_ref()
                .map(|m| m.approval.clone())
                .unwrap_or_default();
            let regions: Vec<String> = g
                .read(|w, _, _| {
                    pv.changes
                        .iter()
                        .map(|(b, _)| {
                            w.base(b)
                                .map(|b| b.uscc.get(2..8).unwrap_or_default().to_string())
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .await;
            for ((base, change), region) in pv.changes.clone().iter().zip(regions) {
                for by in &approval {
                    let (who, by) = match by {
                        guohe_policy::model::Approver::Recommender => {
                            (actor(&pv.recommender(&region).0)?, "recommender")
                        }
                        guohe_policy::model::Approver::Department => (pv.dept.clone(), "department"),
                    };
                    s.push(
                        &who,
                        json!({"type": "ApproveMajorChange", "base": base, "change_id": change, "by": by}),
                    )?;
                }
            }
        }
        PhaseKind::Findings => {
            let active: Vec<String> = g
                .read(|w, _, _| pv.on_register(w).into_iter().map(|b| b.id.clone()).collect())
                .await;
            let codes: Vec<String> = pv.policy.vocabularies.findings.iter().map(|t| t.code.clone()).collect();
            if active.len() >= 5 && !codes.is_empty() {
                let n = (active.len() / 250).max(1);
                for i in choose(&mut pv.rng, active.len(), n) {
                    let finding = pv.rng.pick(&codes).clone();
                    s.push(
                        &pv.dept,
                        json!({"type": "RecordFinding", "case": format!("base/{}", active[i]),
                        "finding": finding, "effective_on": on,
                        "evidence": format!("{}科学技术厅核查意见（{year}年第{}号）。", pv.p.name, i + 1)}),
                    )?;
                }
            }
        }
        _ => {}
    }
    if s.steps.len() == 1 && phase.kind != PhaseKind::YearEnd {
        // Nothing to do: the clock is ticked with the next phase that has work.
        return Ok(Phased::default());
    }
    Ok(Phased {
        steps: s.steps,
        appended: 0,
    })
}
