//! 重大事项与过渡 — major changes filed, approved and rejected; bases carried over and
//! reclassified.

use super::*;

impl H<'_, '_> {
    // ---------- major changes ----------

    pub(super) fn file_change(&self, c: FileMajorChange) -> R {
        self.role(
            &[Role::SupportUnit, Role::Department],
            "报告重大事项",
            "file major changes",
        )?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let mc = major_changes(policy)?;
        check_id("change_id", &c.change_id)?;
        vocab_check(
            "kind",
            &policy.vocabularies.major_change_kinds,
            &c.kind,
            "重大事项类型",
            policy,
        )?;
        non_empty("details.description", &c.details.description, "事项说明")?;
        self.on_register(b, policy, mc.article)?;
        if b.major_changes.contains_key(&c.change_id) {
            return Err(Refusal::new(RefusalCode::Duplicate, "重大事项编号已存在", "change id exists").at("change_id"));
        }
        if let Some(cat) = &c.details.category {
            vocab_check(
                "details.category",
                &policy.vocabularies.categories,
                cat,
                "基地类型",
                policy,
            )?;
        }
        let mut articles = vec![policy.cite(mc.article)];
        if let Some(a) = term(&policy.vocabularies.major_change_kinds, &c.kind).and_then(|t| t.article)
            && a != mc.article
        {
            articles.push(policy.cite(a));
        }
        Ok(vec![self.ev(
            base_stream(&b.id),
            articles,
            EventKind::MajorChangeFiled(MajorChangeFiled {
                base: b.id.clone(),
                change: c.change_id,
                kind: c.kind,
                details: c.details,
                approval: mc.approval.clone(),
                informed: mc.informed.clone(),
            }),
        )])
    }

    pub(super) fn pending_change<'b>(
        &self,
        b: &'b Base,
        id: &str,
        by: Approver,
        policy: &Policy,
    ) -> Result<&'b MajorChange, Refusal> {
        let want = match by {
            Approver::Recommender => Role::Recommender,
            Approver::Department => Role::Department,
        };
        if self.ctx.actor.role != want {
            return Err(Refusal::new(
                RefusalCode::Forbidden,
                format!("以“{}”身份审核须由{}办理", want.zh(), want.zh()),
                format!("{} cannot act as the {}", self.ctx.actor.id, approver_en(by)),
            ));
        }
        let ch = b.major_changes.get(id).ok_or_else(|| {
            Refusal::new(
                RefusalCode::NotFound,
                format!("重大事项“{id}”不存在"),
                format!("no change `{id}`"),
            )
            .at("change_id")
        })?;
        if ch.status != ChangeStatus::Pending {
            return Err(wrong_state(
                "该重大事项已办结".into(),
                "the change is already decided".into(),
            ));
        }
        let next = ch.approval.get(ch.approved_by.len()).copied();
        if next != Some(by) {
            let order = ch
                .approval
                .iter()
                .map(|a| approver_zh(*a))
                .collect::<Vec<_>>()
                .join("→");
            return Err(Refusal::new(
                RefusalCode::ApprovalOrder,
                format!(
                    "重大事项须依次经{order}审核，当前应由{}办理",
                    next.map(approver_zh).unwrap_or("—")
                ),
                format!(
                    "approvals go {}; next is the {}",
                    ch.approval
                        .iter()
                        .map(|a| approver_en(*a))
                        .collect::<Vec<_>>()
                        .join(" → "),
                    next.map(approver_en).unwrap_or("nobody (all approvals given)")
                ),
            )
            .cite(policy.cite(major_changes(policy)?.article))
            .at("by"));
        }
        Ok(ch)
    }

    pub(super) fn approve_change(&self, c: ApproveMajorChange) -> R {
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let art = major_changes(policy)?.article;
        self.on_register(b, policy, art)?;
        let ch = self.pending_change(b, &c.change_id, c.by, policy)?;
        let last = ch.approved_by.len() + 1 == ch.approval.len();
        if !last {
            return Ok(vec![self.ev(
                base_stream(&b.id),
                vec![policy.cite(art)],
                EventKind::MajorChangeEndorsed(MajorChangeEndorsed {
                    base: b.id.clone(),
                    change: c.change_id,
                    by: c.by,
                }),
            )]);
        }
        let fired = consequence::matching(policy, &Happening::MajorChange(&ch.kind));
        let mut out = vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(art)],
            EventKind::MajorChangeApproved(MajorChangeApproved {
                base: b.id.clone(),
                change: c.change_id,
                by: c.by,
            }),
        )];
        out.extend(consequence::on_base(policy, b, &fired, self.ctx.today, &self.emit)?);
        Ok(out)
    }

    pub(super) fn reject_change(&self, c: RejectMajorChange) -> R {
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        non_empty("reason", &c.reason, "不同意的理由")?;
        self.pending_change(b, &c.change_id, c.by, policy)?;
        Ok(vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(major_changes(policy)?.article)],
            EventKind::MajorChangeRejected(MajorChangeRejected {
                base: b.id.clone(),
                change: c.change_id,
                by: c.by,
                reason: c.reason,
            }),
        )])
    }

    // ---------- transitions ----------

    pub(super) fn carry_over(&self, c: CarryOverBase) -> R {
        self.role(&[Role::Department], "纳入过渡基地", "carry bases over")?;
        check_id("base_id", &c.base_id)?;
        if self.world.bases.contains_key(&c.base_id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("基地“{}”已存在", c.base_id),
                format!("base `{}` exists", c.base_id),
            )
            .at("base_id"));
        }
        let policy = self.policy(&c.policy)?;
        non_empty("official_name", &c.official_name, "基地名称")?;
        non_empty("unit_name", &c.unit_name, "依托单位名称")?;
        non_empty("domain", &c.domain, "技术领域")?;
        non_empty("director", &c.director, "基地负责人")?;
        if let Err(e) = guohe_reference::uscc::parse(c.uscc.trim()) {
            return Err(Refusal::invalid("uscc", e.message_zh(), e.to_string()));
        }
        if c.recognised_on > self.ctx.today {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                "认定日期晚于今天",
                "recognised_on is in the future",
            )
            .at("recognised_on"));
        }
        let t = &policy.transitions;
        let mut articles = Vec::new();
        let category = match (&c.old_category, &c.category) {
            (Some(old), _) => {
                let Some(m) = &t.category_mapping else {
                    return Err(Refusal::invalid(
                        "old_category",
                        format!("《{}》没有旧类型对应规定", policy.title),
                        format!("{} maps no old categories", policy.id),
                    ));
                };
                let Some(new) = m.map.iter().find(|o| o.old == old.trim()) else {
                    let olds = m.map.iter().map(|o| o.old.as_str()).collect::<Vec<_>>().join("、");
                    return Err(Refusal::invalid(
                        "old_category",
                        format!("旧类型“{old}”不在对应表中；可选：{olds}"),
                        format!("`{old}` is not an old category; one of {olds}"),
                    )
                    .cite(policy.cite(m.article)));
                };
                articles.push(policy.cite(m.article));
                Some(new.new.clone())
            }
            (None, Some(cat)) => {
                vocab_check("category", &policy.vocabularies.categories, cat, "基地类型", policy)?;
                Some(cat.clone())
            }
            (None, None) if !policy.vocabularies.categories.is_empty() => {
                return Err(Refusal::invalid(
                    "category",
                    "该办法按类型管理基地，请填写旧类型或新类型",
                    "the policy has categories; give old_category or category",
                ));
            }
            (None, None) => None,
        };
        if c.national {
            let Some(n) = &t.national_bases_join else {
                return Err(Refusal::new(
                    RefusalCode::NotProvided,
                    format!("《{}》未规定国家基地直接纳入管理", policy.title),
                    format!("{} has no provision for national bases joining", policy.id),
                )
                .at("national"));
            };
            articles.push(policy.cite(n.article));
        }
        let legacy = !c.national
            && t.legacy_bases
                .as_ref()
                .is_some_and(|l| c.recognised_on < l.recognised_before);
        let evaluated = match (&t.legacy_bases, legacy) {
            (Some(l), true) => {
                articles.push(policy.cite(l.article));
                l.evaluated
            }
            _ => true,
        };
        if articles.is_empty() {
            articles.push(policy.cite(policy.validity.article));
        }
        // Where the cycle of a carried-over or joining base starts is the policy's reading
        // (lifecycle.evaluation.cycle_start), not a rule of this code.
        let start = &policy.lifecycle.evaluation.cycle_start;
        let anchor = if c.national { start.joining } else { start.carried_over };
        let evaluation_anchor = anchor.date(c.recognised_on, policy.in_force_from, self.ctx.today);
        Ok(vec![self.ev(
            base_stream(&c.base_id),
            articles,
            EventKind::BaseCarriedOver(BaseCarriedOver {
                base: c.base_id,
                policy: policy.id.clone(),
                official_name: c.official_name.trim().to_string(),
                unit_name: c.unit_name.trim().to_string(),
                uscc: c.uscc.trim().to_string(),
                domain: c.domain.trim().to_string(),
                old_category: c.old_category,
                category,
                director: c.director.trim().to_string(),
                partner_country: c.partner_country,
                recognised_on: c.recognised_on,
                national: c.national,
                legacy,
                evaluated,
                evaluation_anchor,
            }),
        )])
    }

    pub(super) fn reclassify(&self, c: Reclassify) -> R {
        self.role(&[Role::Department], "重新认定类别", "reclassify bases")?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let Some(m) = policy
            .transitions
            .category_mapping
            .as_ref()
            .filter(|m| m.reclassification_on_request)
        else {
            return Err(Refusal::new(
                RefusalCode::NotProvided,
                format!("《{}》未规定申请重新认定类别", policy.title),
                format!("{} provides no reclassification on request", policy.id),
            ));
        };
        self.on_register(b, policy, m.article)?;
        if !matches!(b.origin, Origin::CarriedOver { .. }) {
            return Err(wrong_state(
                "只有按过渡条款纳入管理的基地可以申请重新认定类别".into(),
                "only bases carried over from the old categories can ask to be reclassified".into(),
            )
            .cite(policy.cite(m.article)));
        }
        vocab_check(
            "category",
            &policy.vocabularies.categories,
            &c.category,
            "基地类型",
            policy,
        )?;
        non_empty("reasons", &c.reasons, "理由")?;
        if b.category.as_deref() == Some(c.category.as_str()) {
            return Err(Refusal::invalid(
                "category",
                "新类型与现类型相同",
                "the base already has this category",
            ));
        }
        Ok(vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(m.article)],
            EventKind::BaseReclassified(BaseReclassified {
                base: b.id.clone(),
                from: b.category.clone(),
                to: c.category,
                reasons: c.reasons,
            }),
        )])
    }
}
