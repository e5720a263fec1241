//! 双随机、一公开 — deciding inspection draws and recording their results.

use chrono::Datelike;
use guohe_policy::ArticleRef;
use guohe_policy::draws::InspectionDraw;
use guohe_policy::model::Policy;

use super::{H, R, check_id, non_empty, wrong_state};
use crate::actor::Role;
use crate::draw::{ALGORITHM, count_for_share};
use crate::event::EventKind;
use crate::inspection::*;
use crate::refusal::{Refusal, RefusalCode};

/// The stream of a draw.
fn draw_stream(id: &str) -> String {
    format!("draw/{id}")
}

/// Seeds longer than this are refused: a seed is published and typed by hand.
const MAX_SEED_CHARS: usize = 200;

/// The inspection-draw parameters of a policy, or why there are none.
fn params(policy: &Policy) -> Result<&InspectionDraw, Refusal> {
    policy.lifecycle.inspection_draw.as_ref().ok_or_else(|| {
        Refusal::new(
            RefusalCode::NotProvided,
            format!("《{}》未规定现场考察抽取", policy.title),
            format!("{} provides no inspection draw", policy.id),
        )
        .at("policy")
    })
}

/// The article a draw for this purpose applies.
fn article(policy: &Policy, d: &InspectionDraw, purpose: InspectionPurpose) -> Result<ArticleRef, Refusal> {
    match purpose {
        InspectionPurpose::Evaluation => Ok(d.evaluation),
        InspectionPurpose::AnnualAssessment => d.annual_assessment.ok_or_else(|| {
            Refusal::new(
                RefusalCode::NotProvided,
                format!("《{}》未规定年度考核，不能为年度考核抽取现场考察基地", policy.title),
                format!("{} has no annual assessment to draw inspections for", policy.id),
            )
            .cite(policy.cite(d.evaluation))
            .at("purpose")
        }),
    }
}

/// Every refusal of a draw cites the article the draw applies, when it has no more precise one.
fn cited(r: Refusal, policy: &Policy, art: ArticleRef) -> Refusal {
    match r.citation {
        Some(_) => r,
        None => r.cite(policy.cite(art)),
    }
}

impl H<'_, '_> {
    pub(super) fn draw_inspections(&self, c: DrawInspections) -> R {
        self.role(&[Role::Department], "抽取现场考察基地", "draw bases for inspection")?;
        let policy = self.policy(&c.policy)?;
        let d = params(policy)?;
        let art = article(policy, d, c.purpose)?;
        self.draw_under(policy, d, art, c).map_err(|r| cited(r, policy, art))
    }

    fn draw_under(&self, policy: &Policy, d: &InspectionDraw, art: ArticleRef, c: DrawInspections) -> R {
        check_id("id", &c.id)?;
        if self.world.draws.contains_key(&c.id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("抽取批次“{}”已存在，抽取结果不能重抽", c.id),
                format!("draw `{}` exists; a draw is never redone", c.id),
            )
            .at("id"));
        }
        let cite = || policy.cite(art);
        let seed = c.seed.trim();
        if seed.is_empty() || seed.chars().count() > MAX_SEED_CHARS || seed.chars().any(char::is_control) {
            return Err(Refusal::invalid(
                "seed",
                format!("随机种子须为1—{MAX_SEED_CHARS}个字符，不含控制字符，并随结果公开"),
                format!("the seed must be 1–{MAX_SEED_CHARS} characters without control characters; it is published"),
            )
            .cite(policy.cite(art)));
        }
        if c.year < 2000 || c.year > self.ctx.today.year() {
            return Err(Refusal::invalid(
                "year",
                format!(
                    "年度 {} 无效：须在2000年至今年（{}）之间",
                    c.year,
                    self.ctx.today.year()
                ),
                format!(
                    "year {} must be between 2000 and this year ({})",
                    c.year,
                    self.ctx.today.year()
                ),
            ));
        }
        let per_base = c.inspectors_per_base.unwrap_or(d.inspectors_per_base);
        if per_base == 0 || per_base > d.max_inspectors_per_base {
            return Err(Refusal::new(
                RefusalCode::NotAllowed,
                format!("每个基地的考察专家人数须为1—{}人", d.max_inspectors_per_base),
                format!("inspectors per base must be 1–{}", d.max_inspectors_per_base),
            )
            .cite(cite())
            .at("inspectors_per_base"));
        }
        let candidates = self.candidates(policy, &c);
        if candidates.is_empty() {
            return Err(wrong_state(
                format!(
                    "《{}》下没有{}年须参加{}的在册基地，无可抽取的候选基地",
                    policy.title,
                    c.year,
                    c.purpose.zh()
                ),
                format!(
                    "no base on the register under {} takes the {} {} — nothing to draw from",
                    policy.id,
                    c.year,
                    c.purpose.code()
                ),
            )
            .cite(cite()));
        }
        let total = match (c.share, c.count) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(Refusal::invalid(
                    "share",
                    "抽取比例（share）和抽取数量（count）须且只能填写一项",
                    "give exactly one of `share` and `count`",
                ));
            }
            (Some(share), None) => count_for_share(share, candidates.len()).ok_or_else(|| {
                Refusal::new(
                    RefusalCode::NotAllowed,
                    format!("抽取比例 {share} 超出范围：须大于0且不超过1"),
                    format!("share {share} is out of range: more than 0, at most 1"),
                )
                .cite(cite())
                .at("share")
            })?,
            (None, Some(n)) => {
                if n == 0 || n as usize > candidates.len() {
                    return Err(Refusal::new(
                        RefusalCode::NotAllowed,
                        format!("抽取数量 {n} 超出范围：候选基地共 {} 个", candidates.len()),
                        format!("count {n} is out of range: there are {} candidates", candidates.len()),
                    )
                    .cite(cite())
                    .at("count"));
                }
                n as usize
            }
        };
        for (i, e) in c.pool.iter().enumerate() {
            check_id(&format!("pool[{i}].id"), &e.id)?;
        }
        let mut pool = c.pool.clone();
        pool.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
        pool.dedup_by(|a, b| a.id == b.id);
        let conflicts = self.conflicts(&pool, c.conflicts);
        let selection = compute(
            seed,
            total,
            per_base as usize,
            &candidates,
            &pool,
            &conflicts,
            &d.avoidance,
        )
        .map_err(|s| {
            let name = candidates
                .iter()
                .find(|x| x.base == s.base)
                .map(|x| x.name.as_str())
                .unwrap_or("");
            Refusal::new(
                RefusalCode::NotEnoughCandidates,
                format!(
                    "回避后可抽取的考察专家不足：基地“{}”（{name}）需{}人，专家库中符合条件的仅{}人",
                    s.base, s.needed, s.eligible
                ),
                format!(
                    "not enough eligible inspectors after avoidance: base `{}` needs {}, the pool has {}",
                    s.base, s.needed, s.eligible
                ),
            )
            .cite(cite())
            .at("pool")
        })?;
        Ok(vec![self.ev(
            draw_stream(&c.id),
            vec![cite(), policy.cite(self.interpretation_article(policy, d))],
            EventKind::InspectionsDrawn(InspectionsDrawn {
                draw: c.id,
                policy: c.policy,
                purpose: c.purpose,
                year: c.year,
                share: c.share,
                count: total as u32,
                strata: c.strata,
                inspectors_per_base: per_base,
                seed: seed.to_string(),
                algorithm: ALGORITHM.to_string(),
                avoidance: d.avoidance.clone(),
                candidates,
                quotas: selection.quotas,
                pool,
                conflicts,
                selected: selection.selected,
                exclusions: selection.exclusions,
            }),
        )])
    }

    /// The conflicts a draw avoids: those given with it, and every conflict an expert of the
    /// pool declared on an application (回避申明), which binds them to the applicant's unit.
    /// Sorted, so that the record and a rerun read them in the same order.
    fn conflicts(&self, pool: &[PoolExpert], given: Vec<UnitConflict>) -> Vec<UnitConflict> {
        let mut v: Vec<UnitConflict> = given
            .into_iter()
            .map(|x| UnitConflict {
                expert: x.expert.trim().to_string(),
                uscc: x.uscc.trim().to_uppercase(),
                reason: x.reason.trim().to_string(),
            })
            .collect();
        for a in self.world.applications.values() {
            for e in a.conflicts.iter().filter(|e| pool.iter().any(|p| &&p.id == e)) {
                v.push(UnitConflict {
                    expert: e.clone(),
                    uscc: a.facts.unit.uscc.trim().to_uppercase(),
                    reason: format!("在申报“{}”中申明回避", a.id),
                });
            }
        }
        v.sort_by(|a, b| {
            (a.expert.as_bytes(), a.uscc.as_bytes(), a.reason.as_bytes()).cmp(&(
                b.expert.as_bytes(),
                b.uscc.as_bytes(),
                b.reason.as_bytes(),
            ))
        });
        v.dedup_by(|a, b| a.expert == b.expert && a.uscc == b.uscc);
        v
    }

    fn interpretation_article(&self, policy: &Policy, d: &InspectionDraw) -> ArticleRef {
        policy
            .interpretations
            .iter()
            .find(|i| i.id == d.interpretation)
            .map(|i| i.article)
            .unwrap_or(d.evaluation)
    }

    /// The bases a draw chooses from: under the policy, on the register on the day of the draw
    /// (the command's business date, not the latest state: a status taking effect later, or a
    /// base recognised after that day, does not count), recognised by the end of the year; for
    /// an evaluation, only bases that take periodic evaluations.
    fn candidates(&self, policy: &Policy, c: &DrawInspections) -> Vec<DrawCandidate> {
        let on = self.ctx.today;
        let mut v: Vec<DrawCandidate> = self
            .world
            .bases
            .values()
            .filter(|b| b.policy == policy.id && b.status_on(on).is_some_and(|s| s.on_register()))
            .filter(|b| b.recognised_on.year() <= c.year)
            .filter(|b| c.purpose == InspectionPurpose::AnnualAssessment || b.evaluated)
            .map(|b| DrawCandidate {
                base: b.id.clone(),
                name: b.official_name.clone(),
                uscc: b.uscc.clone(),
                stratum: stratum_of(c.strata, &b.uscc, b.category.as_deref()),
            })
            .collect();
        v.sort_by(|a, b| a.base.as_bytes().cmp(b.base.as_bytes()));
        v
    }

    pub(super) fn inspection_result(&self, c: RecordInspectionResult) -> R {
        self.role(&[Role::Department], "记录现场考察结果", "record inspection results")?;
        let Some(draw) = self.world.draws.get(&c.draw) else {
            return Err(Refusal::new(
                RefusalCode::NotFound,
                format!("抽取批次“{}”不存在", c.draw),
                format!("no draw `{}`", c.draw),
            )
            .at("draw"));
        };
        let policy = self.policy(&draw.event.policy)?;
        let d = params(policy)?;
        let art = article(policy, d, draw.event.purpose)?;
        self.result_under(policy, art, draw, c)
            .map_err(|r| cited(r, policy, art))
    }

    fn result_under(
        &self,
        policy: &Policy,
        art: ArticleRef,
        draw: &crate::state::InspectionDraw,
        c: RecordInspectionResult,
    ) -> R {
        let Some(drawn) = draw.event.selected.iter().find(|s| s.base == c.base) else {
            return Err(Refusal::new(
                RefusalCode::NotFound,
                format!("基地“{}”未在抽取批次“{}”中抽中", c.base, c.draw),
                format!("base `{}` was not drawn in `{}`", c.base, c.draw),
            )
            .cite(policy.cite(art))
            .at("base"));
        };
        non_empty("findings", &c.findings, "考察情况")?;
        if draw.results.contains_key(&c.base) {
            return Err(Refusal::new(
                RefusalCode::AlreadyRecorded,
                format!("基地“{}”的现场考察结果已记录", c.base),
                format!("the inspection of `{}` is already recorded", c.base),
            )
            .at("base"));
        }
        // On the base's stream, so the base's public history shows it.
        Ok(vec![self.ev(
            crate::consequence::base_stream(&c.base),
            vec![policy.cite(art)],
            EventKind::InspectionResultRecorded(InspectionResultRecorded {
                draw: c.draw,
                base: c.base,
                inspectors: drawn.inspectors.clone(),
                findings: c.findings.trim().to_string(),
            }),
        )])
    }
}
