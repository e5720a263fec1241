//! 公示与命名 — the public notice, real-name objections and their resolution, and naming.

use super::*;

impl H<'_, '_> {
    // ---------- public notice ----------

    pub(super) fn start_notice(&self, c: StartPublicNotice) -> R {
        self.role(&[Role::Department], "发布公示", "start a public notice")?;
        check_id("notice_id", &c.notice_id)?;
        if self.world.notices.contains_key(&c.notice_id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("公示“{}”已存在", c.notice_id),
                format!("notice `{}` exists", c.notice_id),
            )
            .at("notice_id"));
        }
        if c.applications.is_empty() {
            return Err(Refusal::invalid(
                "applications",
                "公示须列明至少一项申报",
                "a notice lists at least one application",
            ));
        }
        let mut policy_id: Option<&str> = None;
        for (i, id) in c.applications.iter().enumerate() {
            let a = self.application(id, &format!("applications[{i}]"))?;
            if a.status != ApplicationStatus::Approved {
                return Err(wrong_state(
                    format!("申报“{}”当前为“{}”，只有认定同意的申报可以公示", a.id, a.status.zh()),
                    format!(
                        "application `{}` is {}; only approved applications are published",
                        a.id,
                        a.status.en()
                    ),
                )
                .at(format!("applications[{i}]")));
            }
            if c.applications[..i].contains(id) {
                return Err(Refusal::invalid(
                    format!("applications[{i}]"),
                    "申报重复列出",
                    "application listed twice",
                ));
            }
            if a.decision.as_ref().is_some_and(|d| d.2 > c.starts_on) {
                return Err(Refusal::new(
                    RefusalCode::DateOutOfOrder,
                    "公示开始日期早于认定结论日期",
                    "the notice starts before the decision",
                )
                .at("starts_on"));
            }
            match policy_id {
                None => policy_id = Some(&a.policy),
                Some(p) if p != a.policy => {
                    return Err(Refusal::invalid(
                        format!("applications[{i}]"),
                        "同一公示中的申报须依据同一办法",
                        "all applications in a notice must be under the same policy",
                    ));
                }
                _ => {}
            }
        }
        let policy = self.policy(policy_id.unwrap_or_default())?;
        let pn = &policy.procedure.public_notice;
        let counting = match pn.counting {
            guohe_policy::model::Counting::IncludeStart => guohe_calendar::Counting::IncludeStart,
            guohe_policy::model::Counting::ExcludeStart => guohe_calendar::Counting::ExcludeStart,
        };
        let ends_on = self
            .ctx
            .calendar
            .add_working_days(c.starts_on, pn.working_days, counting)
            .map_err(|e| calendar_refusal(e, policy, pn.article).at("starts_on"))?;
        Ok(vec![self.ev(
            format!("notice/{}", c.notice_id),
            vec![policy.cite(pn.article)],
            EventKind::PublicNoticeStarted(PublicNoticeStarted {
                notice: c.notice_id,
                policy: policy.id.clone(),
                applications: c.applications,
                starts_on: c.starts_on,
                ends_on,
            }),
        )])
    }

    pub(super) fn lodge_objection(&self, c: LodgeObjection) -> R {
        check_objection_input(self.world, self.ctx.policies, &c)?;
        let n = &self.world.notices[&c.notice];
        let policy = self.policy(&n.policy)?;
        let pn = &policy.procedure.public_notice;
        if !n.applications.contains(&c.application) {
            return Err(Refusal::new(
                RefusalCode::NotFound,
                format!("公示“{}”未列出申报“{}”", n.id, c.application),
                format!("notice `{}` does not list `{}`", n.id, c.application),
            )
            .at("application"));
        }
        let today = self.ctx.today;
        if today < n.starts_on || today > n.ends_on {
            return Err(Refusal::new(
                RefusalCode::NoticePeriod,
                format!(
                    "公示期为 {} 至 {}，{today} 不在公示期内，不能提出异议",
                    n.starts_on, n.ends_on
                ),
                format!(
                    "the notice runs {} to {}; objections are not taken on {today}",
                    n.starts_on, n.ends_on
                ),
            )
            .cite(policy.cite(pn.article)));
        }
        let objection = format!("{}-{}", n.id, n.objections.len() + 1);
        Ok(vec![self.ev(
            format!("notice/{}", n.id),
            vec![policy.cite(pn.objections_article)],
            EventKind::ObjectionLodged(ObjectionLodged {
                notice: n.id.clone(),
                objection,
                application: c.application,
                objector_real_name: c.objector_real_name.trim().to_string(),
                contact: c.contact,
                content: c.content,
            }),
        )])
    }

    pub(super) fn resolve_objection(&self, c: ResolveObjection) -> R {
        self.role(&[Role::Department], "处理异议", "resolve objections")?;
        let Some(notice_id) = self.world.objections.get(&c.objection) else {
            return Err(Refusal::new(
                RefusalCode::NotFound,
                format!("异议“{}”不存在", c.objection),
                format!("no objection `{}`", c.objection),
            )
            .at("objection"));
        };
        let n = &self.world.notices[notice_id];
        let o = &n.objections[&c.objection];
        let policy = self.policy(&n.policy)?;
        let art = policy.procedure.public_notice.objections_article;
        non_empty("resolution", &c.resolution, "处理意见")?;
        if o.resolution.is_some() {
            return Err(Refusal::new(
                RefusalCode::AlreadyRecorded,
                "该异议已处理",
                "objection already resolved",
            )
            .at("objection"));
        }
        let mut out = vec![self.ev(
            format!("notice/{}", n.id),
            vec![policy.cite(art)],
            EventKind::ObjectionResolved(ObjectionResolved {
                notice: n.id.clone(),
                objection: c.objection.clone(),
                resolution: c.resolution.clone(),
                upheld: c.upheld,
            }),
        )];
        if c.upheld
            && let Some(a) = self.world.applications.get(&o.application)
            && a.status.in_progress()
        {
            out.push(self.ev(
                application_stream(&a.id),
                vec![policy.cite(art)],
                EventKind::ApplicationRejected(ApplicationRejected {
                    application: a.id.clone(),
                    reason: format!("公示期异议经核实成立：{}", c.resolution),
                    consequence: None,
                }),
            ));
        }
        Ok(out)
    }

    // ---------- naming ----------

    pub(super) fn name(&self, c: Name) -> R {
        self.role(&[Role::Department], "命名基地", "name a base")?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let pn = &policy.procedure.public_notice;
        check_id("base_id", &c.base_id)?;
        if self.world.bases.contains_key(&c.base_id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("基地“{}”已存在", c.base_id),
                format!("base `{}` exists", c.base_id),
            )
            .at("base_id"));
        }
        if a.status != ApplicationStatus::InNotice {
            return Err(wrong_state(
                format!("申报“{}”当前为“{}”，须经公示后方可命名", a.id, a.status.zh()),
                format!(
                    "application `{}` is {}; only an application through public notice can be named",
                    a.id,
                    a.status.en()
                ),
            )
            .cite(policy.cite(pn.article)));
        }
        let Some(n) = a.notice.as_ref().and_then(|id| self.world.notices.get(id)) else {
            return Err(wrong_state("未找到公示记录".into(), "no notice found".into()).cite(policy.cite(pn.article)));
        };
        if c.on <= n.ends_on {
            return Err(Refusal::new(
                RefusalCode::NoticePeriod,
                format!("公示期至 {} 止，命名日期 {} 须在公示期满之后", n.ends_on, c.on),
                format!(
                    "the notice runs until {}; naming on {} must come after it",
                    n.ends_on, c.on
                ),
            )
            .cite(policy.cite(pn.article))
            .at("on"));
        }
        if c.on > self.ctx.today {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                format!("命名日期 {} 晚于今天 {}", c.on, self.ctx.today),
                format!("naming date {} is after today {}", c.on, self.ctx.today),
            )
            .at("on"));
        }
        if pn.objections_block_naming {
            let open: Vec<&str> = n
                .objections
                .values()
                .filter(|o| o.application == a.id && o.resolution.is_none())
                .map(|o| o.id.as_str())
                .collect();
            if !open.is_empty() {
                return Err(Refusal::new(
                    RefusalCode::UnresolvedObjection,
                    format!("公示期异议（{}）尚未处理完毕，不能命名", open.join("、")),
                    format!(
                        "objections {} are unresolved; the base cannot be named",
                        open.join(", ")
                    ),
                )
                .cite(policy.cite(pn.objections_article)));
            }
        }
        // The register may have changed since submission (another base named meanwhile).
        self.check(policy, a.facts.clone())?;
        let f = &a.facts;
        let official_name =
            guohe_policy::naming::official_name(policy, &f.technology_domain, f.category.as_deref(), &f.unit.name)
                .map_err(|e| {
                    Refusal::invalid("facts.technology_domain", e.message_zh(), e.to_string())
                        .cite(policy.cite(policy.procedure.naming.article))
                })?;
        let mut articles = vec![policy.cite(policy.procedure.naming.article)];
        if policy.procedure.naming.announcement_article != policy.procedure.naming.article {
            articles.push(policy.cite(policy.procedure.naming.announcement_article));
        }
        Ok(vec![self.ev(
            base_stream(&c.base_id),
            articles,
            EventKind::BaseNamed(BaseNamed {
                base: c.base_id,
                application: a.id.clone(),
                policy: policy.id.clone(),
                official_name,
                unit_name: f.unit.name.trim().to_string(),
                uscc: f.unit.uscc.trim().to_string(),
                domain: f.technology_domain.trim().to_string(),
                category: f.category.clone(),
                director: f.director.name.trim().to_string(),
                partner_country: Some(f.primary_partner.country.clone()),
                named_on: c.on,
                evaluated: true,
            }),
        )])
    }
}
