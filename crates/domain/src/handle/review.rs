//! 专家评审与认定 — assigning experts, conflicts of interest, reviews, site inspections and the
//! department's decision.

use super::*;

impl H<'_, '_> {
    // ---------- expert review ----------

    pub(super) fn review_stage(
        &self,
        a: &ApplicationCase,
        policy: &Policy,
        allow_recommended: bool,
    ) -> Result<(), Refusal> {
        let ok = a.status == ApplicationStatus::UnderReview
            || (allow_recommended && a.status == ApplicationStatus::Recommended);
        if ok {
            return Ok(());
        }
        let rec = &policy.procedure.recommendation;
        if !a.direct && matches!(a.status, ApplicationStatus::Submitted | ApplicationStatus::Returned) {
            // Hubei 第六条第一款: a local unit's application reaches the department through its
            // recommender; without that opinion there is nothing for experts to review yet.
            return Err(wrong_state(
                format!(
                    "申报“{}”尚未出具推荐意见：推荐部门须先进行形式审查并出具推荐意见（{}），才能组织专家评审",
                    a.id,
                    policy.cite_zh(rec.article)
                ),
                format!(
                    "application `{}`: the recommender has not given its opinion yet; its formal review and recommendation come before expert review",
                    a.id
                ),
            )
            .cite(policy.cite(rec.article)));
        }
        Err(wrong_state(
            format!("申报“{}”当前为“{}”，不在专家评审阶段", a.id, a.status.zh()),
            format!("application `{}` is {}, not under expert review", a.id, a.status.en()),
        )
        .cite(policy.cite(policy.procedure.expert_review.article)))
    }

    pub(super) fn assign_expert(&self, c: AssignExpert) -> R {
        self.role(&[Role::Department], "指派评审专家", "assign experts")?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let art = policy.procedure.expert_review.article;
        check_id("expert_id", &c.expert_id)?;
        non_empty("expert_unit_uscc", &c.expert_unit_uscc, "专家所在单位统一社会信用代码")?;
        self.review_stage(a, policy, true)?;
        if c.expert_unit_uscc.trim().eq_ignore_ascii_case(a.facts.unit.uscc.trim()) {
            return Err(Refusal::new(
                RefusalCode::ConflictOfInterest,
                format!("专家“{}”与申报单位同属一个单位，应当回避", c.expert_id),
                format!(
                    "expert `{}` belongs to the applicant's own unit and must not review it",
                    c.expert_id
                ),
            )
            .cite(policy.cite(art))
            .at("expert_unit_uscc"));
        }
        if a.conflicts.contains(&c.expert_id) {
            return Err(Refusal::new(
                RefusalCode::ConflictOfInterest,
                format!("专家“{}”已就该申报申明回避", c.expert_id),
                format!(
                    "expert `{}` declared a conflict of interest on this application",
                    c.expert_id
                ),
            )
            .cite(policy.cite(art))
            .at("expert_id"));
        }
        if self.world.panels.contains_key(&a.id) && c.reason.trim().is_empty() {
            return Err(Refusal::invalid(
                "reason",
                "该申报的评审专家已随机抽取，另行指派须载明理由",
                "the panel was drawn at random; a hand assignment needs its reason",
            )
            .cite(policy.cite(art)));
        }
        if a.experts.contains_key(&c.expert_id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("专家“{}”已被指派", c.expert_id),
                format!("expert `{}` is already assigned", c.expert_id),
            )
            .at("expert_id"));
        }
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(art)],
            EventKind::ExpertAssigned(ExpertAssigned {
                application: a.id.clone(),
                expert: c.expert_id,
                expert_unit_uscc: c.expert_unit_uscc.trim().to_string(),
                reason: c.reason.trim().to_string(),
            }),
        )])
    }

    pub(super) fn expert_acts(&self, expert: &str) -> Result<(), Refusal> {
        match self.ctx.actor.role {
            Role::Department => Ok(()),
            Role::Expert if self.ctx.actor.name() == expert => Ok(()),
            _ => Err(Refusal::new(
                RefusalCode::Forbidden,
                format!("只有专家“{expert}”本人或省科技厅可以办理"),
                format!("only expert `{expert}` or the department may do this"),
            )),
        }
    }

    pub(super) fn declare_conflict(&self, c: DeclareConflict) -> R {
        self.expert_acts(&c.expert)?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        if a.conflicts.contains(&c.expert) {
            return Err(
                Refusal::new(RefusalCode::AlreadyRecorded, "已申明回避", "conflict already declared").at("expert"),
            );
        }
        if !a.status.in_progress() {
            return Err(wrong_state(
                format!("申报“{}”当前为“{}”", a.id, a.status.zh()),
                format!("application `{}` is {}", a.id, a.status.en()),
            ));
        }
        let art = policy.cite(policy.procedure.expert_review.article);
        // A seated member of a drawn panel who declares a conflict leaves it like one who
        // declines: the next reserve is called in.
        let vacated = match self.world.panels.get(&a.id) {
            Some(panel) if a.experts.get(&c.expert).is_some_and(|x| x.review.is_none()) => {
                self.vacate_seat(a, panel, &c.expert, &format!("申明回避：{}", c.reason.trim()), &art)
            }
            _ => Vec::new(),
        };
        let mut events = vec![self.ev(
            application_stream(&a.id),
            vec![art],
            EventKind::ConflictDeclared(ConflictDeclared {
                application: a.id.clone(),
                expert: c.expert,
                reason: c.reason,
            }),
        )];
        events.extend(vacated);
        Ok(events)
    }

    pub(super) fn submit_review(&self, c: SubmitReview) -> R {
        self.expert_acts(&c.expert)?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let er = &policy.procedure.expert_review;
        self.review_stage(a, policy, false)?;
        let Some(assignment) = a.experts.get(&c.expert) else {
            return Err(Refusal::new(
                RefusalCode::NotFound,
                format!("专家“{}”未被指派评审该申报", c.expert),
                format!("expert `{}` is not assigned to this application", c.expert),
            )
            .at("expert"));
        };
        if assignment.review.is_some() {
            return Err(Refusal::new(
                RefusalCode::AlreadyRecorded,
                "该专家已提交评审意见",
                "this expert has already reviewed",
            )
            .at("expert"));
        }
        if c.score < er.score_min || c.score > er.score_max {
            return Err(Refusal::invalid(
                "score",
                format!("评分 {} 超出范围 {}—{}", c.score, er.score_min, er.score_max),
                format!("score {} is outside {}–{}", c.score, er.score_min, er.score_max),
            )
            .cite(policy.cite(er.article)));
        }
        vocab_check(
            "conclusion",
            &policy.vocabularies.expert_conclusions,
            &c.conclusion,
            "结论性意见",
            policy,
        )?;
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(er.article)],
            EventKind::ReviewSubmitted(ReviewSubmitted {
                application: a.id.clone(),
                expert: c.expert,
                score: c.score,
                conclusion: c.conclusion,
                comments: c.comments,
            }),
        )])
    }

    pub(super) fn site_inspection(&self, c: RecordSiteInspection) -> R {
        self.role(&[Role::Department], "记录现场勘验", "record a site inspection")?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let Some(article) = policy.procedure.expert_review.site_inspection else {
            return Err(Refusal::new(
                RefusalCode::NotProvided,
                format!("《{}》未规定现场勘验", policy.title),
                format!("{} provides no site inspection", policy.id),
            ));
        };
        non_empty("findings", &c.findings, "勘验情况")?;
        self.review_stage(a, policy, false)?;
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(article)],
            EventKind::SiteInspectionRecorded(SiteInspectionRecorded {
                application: a.id.clone(),
                inspectors: c.inspectors,
                findings: c.findings,
            }),
        )])
    }

    // ---------- decision ----------

    pub(super) fn decide(&self, c: Decide) -> R {
        self.role(&[Role::Department], "作出认定结论", "decide")?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let art = policy.procedure.decision.article;
        vocab_check(
            "decision",
            &policy.vocabularies.decisions,
            &c.decision,
            "认定结论",
            policy,
        )?;
        self.review_stage(a, policy, false)?;
        let min = policy.procedure.expert_review.min_experts as usize;
        let done = a.completed_reviews();
        if done < min {
            return Err(Refusal::new(
                RefusalCode::NotEnoughReviews,
                format!("已完成评审的专家 {done} 名，少于规定的 {min} 名，不能作出认定结论"),
                format!("{done} completed expert reviews; at least {min} are needed before a decision"),
            )
            .cite(policy.cite(policy.procedure.expert_review.article)));
        }
        let approved = c.decision == "approve";
        if approved && a.verdict == "ineligible" && c.reasons.trim().is_empty() {
            return Err(Refusal::invalid(
                "reasons",
                format!(
                    "申报未通过条件核查（{}），同意认定须载明理由",
                    a.failing_rules.join("、")
                ),
                format!(
                    "the application failed {}; an approval needs stated reasons",
                    a.failing_rules.join(", ")
                ),
            )
            .cite(policy.cite(art)));
        }
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(art)],
            EventKind::ApplicationDecided(ApplicationDecided {
                application: a.id.clone(),
                decision: c.decision,
                approved,
                reasons: c.reasons,
            }),
        )])
    }
}
