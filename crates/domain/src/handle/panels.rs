//! 评审专家随机抽取 — deciding panel draws and declines.

use chrono::Months;
use guohe_policy::draws::PanelDraw;
use guohe_policy::model::Policy;

use super::{H, R, check_id, non_empty};
use crate::actor::Role;
use crate::consequence::application_stream;
use crate::draw::ALGORITHM;
use crate::event::{Event, EventKind, ExpertAssigned};
use crate::inspection::UnitConflict;
use crate::panel::*;
use crate::refusal::{Refusal, RefusalCode};
use crate::state::ApplicationCase;

fn params(policy: &Policy) -> Result<&PanelDraw, Refusal> {
    policy.procedure.expert_review.panel_draw.as_ref().ok_or_else(|| {
        Refusal::new(
            RefusalCode::NotProvided,
            format!("《{}》未设评审专家随机抽取参数", policy.title),
            format!("{} sets no panel draw", policy.id),
        )
        .cite(policy.cite(policy.procedure.expert_review.article))
    })
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl H<'_, '_> {
    pub(super) fn draw_panel(&self, c: DrawExpertPanel) -> R {
        self.role(&[Role::Department], "抽取评审专家", "draw a review panel")?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let er = &policy.procedure.expert_review;
        let art = policy.cite(er.article);
        let d = params(policy)?;
        let refuse = |r: Refusal| if r.citation.is_none() { r.cite(art.clone()) } else { r };
        self.review_stage(a, policy, true)?;
        if self.world.panels.contains_key(&a.id) {
            return Err(refuse(
                Refusal::new(
                    RefusalCode::Duplicate,
                    format!("申报“{}”的评审专家已抽取，不能重抽", a.id),
                    format!("the panel of `{}` was drawn already; it is never redrawn", a.id),
                )
                .at("application"),
            ));
        }
        let seed = c.seed.trim();
        if seed.is_empty() || seed.chars().count() > 200 || seed.chars().any(char::is_control) {
            return Err(refuse(Refusal::invalid(
                "seed",
                "随机种子须为1—200个字符，不含控制字符，并随结果公开",
                "the seed must be 1–200 characters without control characters; it is published",
            )));
        }
        let size = c.size.unwrap_or(er.min_experts);
        if size < er.min_experts || size > 15 {
            return Err(refuse(
                Refusal::new(
                    RefusalCode::NotAllowed,
                    format!("评审专家人数须为{}—15人", er.min_experts),
                    format!("a panel has {}–15 experts", er.min_experts),
                )
                .at("size"),
            ));
        }
        let mut pool = c.pool.clone();
        for (i, e) in pool.iter().enumerate() {
            check_id(&format!("pool[{i}].id"), &e.id).map_err(refuse)?;
        }
        pool.sort_by(|x, y| x.id.as_bytes().cmp(y.id.as_bytes()));
        pool.dedup_by(|x, y| x.id == y.id);
        for (i, x) in c.conflicts.iter().enumerate() {
            check_id(&format!("conflicts[{i}].expert"), &x.expert).map_err(refuse)?;
        }
        let conflicts = self.panel_conflicts(a, &pool, c.conflicts);
        let (eligible, exclusions) = self.avoid(a, d, &pool, &conflicts);
        let need = size as usize;
        if eligible.len() < need {
            return Err(refuse(
                Refusal::new(
                    RefusalCode::NotEnoughCandidates,
                    format!(
                        "回避后符合条件的评审专家不足：需{need}人，仅{}人（领域“{}”）",
                        eligible.len(),
                        a.facts.technology_domain
                    ),
                    format!(
                        "not enough eligible experts after avoidance: {need} needed, {} left",
                        eligible.len()
                    ),
                )
                .at("pool"),
            ));
        }
        let (panel, reserves) = choose_panel(seed, &eligible, need, d.reserves as usize);
        let mut events = vec![self.ev(
            application_stream(&a.id),
            vec![art.clone()],
            EventKind::ExpertPanelDrawn(ExpertPanelDrawn {
                application: a.id.clone(),
                domain: a.facts.technology_domain.trim().to_string(),
                seed: seed.to_string(),
                algorithm: ALGORITHM.to_string(),
                pool: pool.clone(),
                conflicts,
                exclusions,
                eligible,
                panel: panel.clone(),
                reserves,
            }),
        )];
        for e in panel {
            let unit = pool.iter().find(|p| p.id == e).map(|p| p.unit_uscc.trim().to_string());
            events.push(self.ev(
                application_stream(&a.id),
                vec![art.clone()],
                EventKind::ExpertAssigned(ExpertAssigned {
                    application: a.id.clone(),
                    expert: e,
                    expert_unit_uscc: unit.unwrap_or_default(),
                    reason: format!("随机抽取（种子“{seed}”）"),
                }),
            ));
        }
        Ok(events)
    }

    /// The conflicts a panel draw avoids: those given with it, and every conflict an expert of
    /// the pool declared on an application of the same unit (回避申明 binds the expert to the
    /// applicant's unit, as in inspection draws). Sorted, so that the record reads the same.
    fn panel_conflicts(
        &self,
        a: &ApplicationCase,
        pool: &[PanelExpert],
        given: Vec<UnitConflict>,
    ) -> Vec<UnitConflict> {
        let unit = a.facts.unit.uscc.trim().to_uppercase();
        let mut v: Vec<UnitConflict> = given
            .into_iter()
            .map(|x| UnitConflict {
                expert: x.expert.trim().to_string(),
                uscc: x.uscc.trim().to_uppercase(),
                reason: x.reason.trim().to_string(),
            })
            .collect();
        for o in self.world.applications.values() {
            if !same(&o.facts.unit.uscc, &unit) {
                continue;
            }
            for e in o.conflicts.iter().filter(|e| pool.iter().any(|p| &&p.id == e)) {
                v.push(UnitConflict {
                    expert: e.clone(),
                    uscc: unit.clone(),
                    reason: format!("在申报“{}”中申明回避", o.id),
                });
            }
        }
        v.sort_by(|x, y| {
            (x.expert.as_bytes(), x.uscc.as_bytes(), x.reason.as_bytes()).cmp(&(
                y.expert.as_bytes(),
                y.uscc.as_bytes(),
                y.reason.as_bytes(),
            ))
        });
        v.dedup_by(|x, y| x.expert == y.expert && x.uscc == y.uscc);
        v
    }

    /// Whether an expert may not sit on this application's panel for a declared conflict: on
    /// this application, with the draw, or on another application of the same unit since.
    fn conflicted(&self, a: &ApplicationCase, panel: &ExpertPanelDrawn, expert: &str) -> bool {
        let unit = a.facts.unit.uscc.trim();
        a.conflicts.contains(expert)
            || panel
                .conflicts
                .iter()
                .any(|x| x.expert == expert && same(&x.uscc, unit))
            || self
                .world
                .applications
                .values()
                .any(|o| same(&o.facts.unit.uscc, unit) && o.conflicts.contains(expert))
    }

    /// The eligible experts (sorted by id) and every exclusion with its ground: already
    /// assigned to the application, the applicant's own unit, a declared conflict (on this application, with the draw, or on another
    /// application of the same unit), no matching domain, a review of an application of the
    /// same unit within the policy's period.
    fn avoid(
        &self,
        a: &ApplicationCase,
        d: &PanelDraw,
        pool: &[PanelExpert],
        conflicts: &[UnitConflict],
    ) -> (Vec<String>, Vec<PanelExclusion>) {
        let unit = a.facts.unit.uscc.trim();
        let domain = a.facts.technology_domain.trim();
        let since = self
            .ctx
            .today
            .checked_sub_months(Months::new(12 * d.recent_review_years))
            .unwrap_or(self.ctx.today);
        let mut eligible = Vec::new();
        let mut exclusions = Vec::new();
        for e in pool {
            let recent = || {
                let mut others: Vec<&ApplicationCase> = self
                    .world
                    .applications
                    .values()
                    .filter(|o| o.id != a.id && same(o.facts.unit.uscc.as_str(), unit))
                    .filter(|o| {
                        o.experts
                            .get(&e.id)
                            .and_then(|x| x.review.as_ref())
                            .is_some_and(|r| r.on > since)
                    })
                    .collect();
                others.sort_by(|x, y| x.id.cmp(&y.id));
                others.first().map(|o| o.id.clone())
            };
            // Already assigned by hand: drawing them again would assign them twice (and wipe
            // a review already given), so they are kept off and recorded.
            let ground = if a.experts.contains_key(&e.id) {
                Some(("already_assigned", String::new()))
            } else if same(&e.unit_uscc, unit) {
                Some(("own_unit", String::new()))
            } else if a.conflicts.contains(&e.id) {
                Some(("declared_conflict", String::new()))
            } else if let Some(x) = conflicts.iter().find(|x| x.expert == e.id && same(&x.uscc, unit)) {
                Some(("declared_conflict", x.reason.clone()))
            } else if !e.domains.iter().any(|x| x.trim() == domain) {
                Some(("domain", e.domains.join("、")))
            } else {
                recent().map(|o| ("recent_review", o))
            };
            match ground {
                Some((reason, detail)) => exclusions.push(PanelExclusion {
                    expert: e.id.clone(),
                    reason: reason.to_string(),
                    detail,
                }),
                None => eligible.push(e.id.clone()),
            }
        }
        (eligible, exclusions)
    }

    pub(super) fn decline_seat(&self, c: DeclinePanelSeat) -> R {
        self.expert_acts(&c.expert)?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let art = policy.cite(policy.procedure.expert_review.article);
        let Some(panel) = self.world.panels.get(&a.id) else {
            // The application exists; it is its state — no drawn panel — that refuses.
            return Err(Refusal::new(
                RefusalCode::WrongState,
                format!("申报“{}”的评审专家不是随机抽取的，没有可谢绝的席位", a.id),
                format!("the panel of `{}` was not drawn at random: no seat to decline", a.id),
            )
            .cite(art)
            .at("application"));
        };
        let seated = a.experts.get(&c.expert).is_some_and(|x| x.review.is_none());
        if !seated {
            return Err(Refusal::new(
                RefusalCode::WrongState,
                format!("专家“{}”不在该申报的评审专家中，或已提交评审意见", c.expert),
                format!("expert `{}` is not on this panel or has already reviewed", c.expert),
            )
            .cite(art)
            .at("expert"));
        }
        non_empty("reason", &c.reason, "谢绝理由").map_err(|r| r.cite(art.clone()))?;
        Ok(self.vacate_seat(a, panel, &c.expert, c.reason.trim(), &art))
    }

    /// A seated member leaves a drawn panel (declines, or declares a conflict): the seat is
    /// recorded as vacated and the next reserve in order who is not seated and has no declared
    /// conflict — however declared — is called in (候补递补).
    pub(super) fn vacate_seat(
        &self,
        a: &ApplicationCase,
        panel: &crate::state::PanelRecord,
        expert: &str,
        reason: &str,
        art: &guohe_policy::Citation,
    ) -> Vec<Event> {
        let next = panel
            .reserves_left
            .iter()
            .find(|r| !a.experts.contains_key(*r) && r.as_str() != expert && !self.conflicted(a, &panel.event, r))
            .cloned();
        let mut events = vec![self.ev(
            application_stream(&a.id),
            vec![art.clone()],
            EventKind::PanelSeatDeclined(PanelSeatDeclined {
                application: a.id.clone(),
                expert: expert.to_string(),
                reason: reason.to_string(),
                replaced_by: next.clone(),
            }),
        )];
        if let Some(r) = next {
            let unit = panel
                .event
                .pool
                .iter()
                .find(|p| p.id == r)
                .map(|p| p.unit_uscc.trim().to_string());
            events.push(self.ev(
                application_stream(&a.id),
                vec![art.clone()],
                EventKind::ExpertAssigned(ExpertAssigned {
                    application: a.id.clone(),
                    expert: r,
                    expert_unit_uscc: unit.unwrap_or_default(),
                    reason: "候补递补".to_string(),
                }),
            ));
        }
        events
    }
}
