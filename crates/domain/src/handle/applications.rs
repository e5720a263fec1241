//! 申报批次与申报 — opening and closing rounds; submitting, resubmitting, withdrawing, returning
//! and recommending applications.

use super::*;

impl H<'_, '_> {
    // ---------- rounds ----------

    pub(super) fn open_round(&self, c: OpenRound) -> R {
        self.role(&[Role::Department], "开启申报批次", "open a round")?;
        check_id("id", &c.id)?;
        non_empty("title", &c.title, "批次名称")?;
        if self.world.rounds.contains_key(&c.id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("批次“{}”已存在", c.id),
                format!("round `{}` exists", c.id),
            )
            .at("id"));
        }
        let policy = self.policy(&c.policy)?;
        if c.closes_on < c.opens_on {
            return Err(Refusal::invalid(
                "closes_on",
                "截止日期早于开始日期",
                "closes_on is before opens_on",
            ));
        }
        guohe_policy::check_in_force(policy, c.opens_on).map_err(|e| {
            // The refusal carries the article as its citation, so the message does not repeat it.
            let (zh, en) = match e {
                CheckError::NotYetInForce { from, .. } => (
                    format!("批次开始日期 {} 早于《{}》的施行日期 {from}", c.opens_on, policy.title),
                    format!(
                        "the round opens on {}, before {} enters into force on {from}",
                        c.opens_on, policy.id
                    ),
                ),
                CheckError::Expired { until, .. } => (
                    format!(
                        "批次开始日期 {} 晚于《{}》的有效期截止日 {until}，该办法已失效",
                        c.opens_on, policy.title
                    ),
                    format!(
                        "the round opens on {}, after {} ceased to be valid on {until}",
                        c.opens_on, policy.id
                    ),
                ),
                other => (other.message_zh(), other.to_string()),
            };
            Refusal::new(RefusalCode::NotInForce, zh, en)
                .cite(policy.cite(policy.validity.article))
                .at("opens_on")
        })?;
        Ok(vec![self.ev(
            format!("round/{}", c.id),
            vec![policy.cite(policy.procedure.application.article)],
            EventKind::RoundOpened(RoundOpened {
                round: c.id,
                policy: c.policy,
                title: c.title,
                opens_on: c.opens_on,
                closes_on: c.closes_on,
            }),
        )])
    }

    pub(super) fn close_round(&self, c: CloseRound) -> R {
        self.role(&[Role::Department], "关闭申报批次", "close a round")?;
        let r = self.world.rounds.get(&c.round).ok_or_else(|| {
            Refusal::new(
                RefusalCode::NotFound,
                format!("批次“{}”不存在", c.round),
                format!("no round `{}`", c.round),
            )
            .at("round")
        })?;
        if r.closed_on.is_some() {
            return Err(wrong_state(
                format!("批次“{}”已关闭", r.id),
                format!("round `{}` is already closed", r.id),
            ));
        }
        let policy = self.policy(&r.policy)?;
        Ok(vec![self.ev(
            format!("round/{}", r.id),
            vec![policy.cite(policy.procedure.application.article)],
            EventKind::RoundClosed(RoundClosed { round: r.id.clone() }),
        )])
    }

    // ---------- applications ----------

    pub(super) fn submit(&self, c: SubmitApplication) -> R {
        self.role(
            &[Role::SupportUnit, Role::Department],
            "提交申报",
            "submit an application",
        )?;
        check_id("id", &c.id)?;
        if self.world.applications.contains_key(&c.id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("申报“{}”已存在", c.id),
                format!("application `{}` exists", c.id),
            )
            .at("id"));
        }
        let round = self.world.rounds.get(&c.round).ok_or_else(|| {
            Refusal::new(
                RefusalCode::NotFound,
                format!("批次“{}”不存在", c.round),
                format!("no round `{}`", c.round),
            )
            .at("round")
        })?;
        let policy = self.policy(&round.policy)?;
        let today = self.ctx.today;
        if !round.accepts_on(today) {
            return Err(Refusal::new(
                RefusalCode::RoundNotOpen,
                format!(
                    "申报批次“{}”的受理期为 {} 至 {}，{today} 不在受理期内",
                    round.title, round.opens_on, round.closes_on
                ),
                format!(
                    "round `{}` accepts applications from {} to {}; not on {today}",
                    round.id, round.opens_on, round.closes_on
                ),
            )
            .cite(policy.cite(policy.procedure.application.article)));
        }
        let mut facts = c.facts;
        // The application date is the day of submission: look-back windows count from it.
        facts.application_date = today;
        let checked = self.check(policy, facts)?;
        let rec = &policy.procedure.recommendation;
        let direct = rec.direct_for_affiliations.contains(&checked.facts.unit.affiliation);
        let mut articles = vec![policy.cite(policy.procedure.application.article)];
        if direct {
            articles.push(policy.cite(rec.direct_article.unwrap_or(rec.article)));
        }
        Ok(vec![self.ev(
            application_stream(&c.id),
            articles,
            EventKind::ApplicationSubmitted(ApplicationSubmitted {
                application: c.id,
                round: round.id.clone(),
                policy: policy.id.clone(),
                facts: checked.facts,
                verdict: checked.verdict.into(),
                failing_rules: checked.failing,
                review_rules: checked.review,
                direct,
            }),
        )])
    }

    pub(super) fn resubmit(&self, c: ResubmitApplication) -> R {
        self.role(
            &[Role::SupportUnit, Role::Department],
            "重新提交申报",
            "resubmit an application",
        )?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        if a.status != ApplicationStatus::Returned {
            return Err(wrong_state(
                format!("申报“{}”当前为“{}”，只有被退回的申报可以重新提交", a.id, a.status.zh()),
                format!(
                    "application `{}` is {}; only a returned application can be resubmitted",
                    a.id,
                    a.status.en()
                ),
            ));
        }
        if let Some(r) = self.world.rounds.get(&a.round)
            && r.closed_on.is_some()
        {
            return Err(Refusal::new(
                RefusalCode::RoundNotOpen,
                format!("申报批次“{}”已关闭", r.title),
                format!("round `{}` is closed", r.id),
            )
            .cite(policy.cite(policy.procedure.application.article)));
        }
        let mut facts = c.facts;
        facts.application_date = self.ctx.today;
        if facts.unit.uscc != a.facts.unit.uscc {
            return Err(Refusal::invalid(
                "facts.unit.uscc",
                "重新提交不能更换依托单位",
                "a resubmission cannot change the support unit",
            ));
        }
        let checked = self.check(policy, facts)?;
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(policy.procedure.application.article)],
            EventKind::ApplicationResubmitted(ApplicationResubmitted {
                application: a.id.clone(),
                facts: checked.facts,
                verdict: checked.verdict.into(),
                failing_rules: checked.failing,
                review_rules: checked.review,
            }),
        )])
    }

    pub(super) fn withdraw(&self, c: WithdrawApplication) -> R {
        self.role(
            &[Role::SupportUnit, Role::Department],
            "撤回申报",
            "withdraw an application",
        )?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        if !a.status.in_progress() {
            return Err(wrong_state(
                format!("申报“{}”当前为“{}”，不能撤回", a.id, a.status.zh()),
                format!("application `{}` is {} and cannot be withdrawn", a.id, a.status.en()),
            ));
        }
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(policy.procedure.application.article)],
            EventKind::ApplicationWithdrawn(ApplicationWithdrawn {
                application: a.id.clone(),
                reason: c.reason,
            }),
        )])
    }

    pub(super) fn return_application(&self, c: ReturnApplication) -> R {
        self.role(
            &[Role::Recommender, Role::Department],
            "退回申报",
            "return an application",
        )?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        if c.reasons.iter().all(|r| r.trim().is_empty()) {
            return Err(Refusal::invalid(
                "reasons",
                "退回须说明理由",
                "a return needs at least one reason",
            ));
        }
        let ok = match a.status {
            ApplicationStatus::Submitted => true,
            // A direct application is formally reviewed by the department itself.
            ApplicationStatus::UnderReview => a.direct && a.experts.is_empty(),
            _ => false,
        };
        if !ok {
            return Err(wrong_state(
                format!("申报“{}”当前为“{}”，不能退回", a.id, a.status.zh()),
                format!("application `{}` is {} and cannot be returned", a.id, a.status.en()),
            ));
        }
        let rec = &policy.procedure.recommendation;
        let article = if a.direct {
            rec.direct_article.unwrap_or(rec.article)
        } else {
            rec.article
        };
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(article)],
            EventKind::ApplicationReturned(ApplicationReturned {
                application: a.id.clone(),
                reasons: c.reasons,
            }),
        )])
    }

    pub(super) fn recommend(&self, c: RecommendApplication) -> R {
        self.role(&[Role::Recommender], "出具推荐意见", "recommend an application")?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let rec = &policy.procedure.recommendation;
        if a.direct {
            let article = rec.direct_article.unwrap_or(rec.article);
            return Err(Refusal::new(
                RefusalCode::DirectApplication,
                format!(
                    "该申报单位可直接向省科技厅申请，无需推荐部门意见（{}）",
                    policy.cite_zh(article)
                ),
                format!(
                    "this unit applies directly to the department; no recommendation is needed ({})",
                    policy.cite(article)
                ),
            )
            .cite(policy.cite(article)));
        }
        non_empty("recommender", &c.recommender, "推荐单位")?;
        non_empty("opinion", &c.opinion, "推荐意见")?;
        if a.status != ApplicationStatus::Submitted {
            return Err(wrong_state(
                format!("申报“{}”当前为“{}”，不能推荐", a.id, a.status.zh()),
                format!("application `{}` is {} and cannot be recommended", a.id, a.status.en()),
            )
            .cite(policy.cite(rec.article)));
        }
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(rec.article)],
            EventKind::ApplicationRecommended(ApplicationRecommended {
                application: a.id.clone(),
                recommender: c.recommender,
                opinion: c.opinion,
            }),
        )])
    }
}
