//! 建设经费后补助 — deciding an award of post-subsidies to bases graded 优秀 (Hubei 第二十五、
//! 二十六条).

use std::collections::BTreeSet;

use chrono::Datelike;
use guohe_policy::model::{Policy, term};
use guohe_policy::subsidy::PostSubsidy;

use super::{H, R, non_empty};
use crate::actor::Role;
use crate::consequence::base_stream;
use crate::event::EventKind;
use crate::refusal::{Refusal, RefusalCode};
use crate::subsidy::*;

/// The longest 文号 accepted.
const MAX_DOCUMENT_CHARS: usize = 80;

/// The post-subsidy parameters of a policy, or why there are none: the refusal quotes what the
/// policy says 优秀 brings instead (Hunan 第十五条 “优秀基地加大支持力度”).
fn params(policy: &Policy) -> Result<&PostSubsidy, Refusal> {
    policy.lifecycle.post_subsidy.as_ref().ok_or_else(|| {
        let said: Vec<_> = policy
            .lifecycle
            .evaluation_support
            .iter()
            .filter(|s| s.grade == "excellent")
            .collect();
        let zh_said = said
            .iter()
            .map(|s| format!("{}：“{}”", policy.cite_zh(s.article), s.support_zh))
            .collect::<Vec<_>>()
            .join("；");
        let en_said = said
            .iter()
            .map(|s| format!("{}: “{}”", policy.cite(s.article), s.support_en))
            .collect::<Vec<_>>()
            .join("; ");
        let mut r = Refusal::new(
            RefusalCode::NotProvided,
            format!("《{}》未规定建设经费后补助，不能办理后补助。{zh_said}", policy.title),
            format!("{} provides no post-subsidy. {en_said}", policy.id),
        )
        .at("policy");
        let article = said
            .first()
            .map(|s| s.article)
            .unwrap_or(policy.lifecycle.evaluation.article);
        r = r.cite(policy.cite(article));
        r
    })
}

impl H<'_, '_> {
    pub(super) fn award_post_subsidies(&self, c: AwardPostSubsidies) -> R {
        self.role(&[Role::Department], "给予后补助", "award post-subsidies")?;
        let policy = self.policy(&c.policy)?;
        let s = params(policy)?;
        let art = policy.cite(s.article);
        self.award_under(policy, s, c).map_err(|r| match r.citation {
            Some(_) => r,
            None => r.cite(art.clone()),
        })
    }

    fn award_under(&self, policy: &Policy, s: &PostSubsidy, c: AwardPostSubsidies) -> R {
        non_empty("document_number", &c.document_number, "文号")?;
        if c.document_number.chars().count() > MAX_DOCUMENT_CHARS {
            return Err(Refusal::invalid(
                "document_number",
                format!("文号过长（至多 {MAX_DOCUMENT_CHARS} 个字符）"),
                format!("the document number is longer than {MAX_DOCUMENT_CHARS} characters"),
            ));
        }
        let doc = c.document_number.trim().to_string();
        if c.issued_on > self.ctx.today {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                format!("发文日期 {} 晚于业务日期 {}", c.issued_on, self.ctx.today),
                format!(
                    "the document date {} is after the business date {}",
                    c.issued_on, self.ctx.today
                ),
            )
            .at("issued_on"));
        }
        if c.year > c.issued_on.year() {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                format!("评估年度 {} 晚于发文日期 {}", c.year, c.issued_on),
                format!("evaluation year {} is after the document date {}", c.year, c.issued_on),
            )
            .at("year"));
        }
        if c.awards.is_empty() {
            return Err(Refusal::invalid(
                "awards",
                "请至少选择一个基地并填写金额",
                "name at least one base and its amount",
            ));
        }
        if let Some((b, _)) = self
            .world
            .post_subsidies(None, None)
            .into_iter()
            .find(|(_, r)| r.event.document_number == doc)
        {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("文号“{doc}”已用于后补助（基地“{}”）", b.official_name),
                format!("document `{doc}` was already used for a post-subsidy (base `{}`)", b.id),
            )
            .at("document_number"));
        }
        let grade_zh = term(&policy.vocabularies.evaluation_grades, &s.grade)
            .map(|t| t.zh.clone())
            .unwrap_or_else(|| s.grade.clone());
        let evaluated = self.world.evaluated_in(&policy.id, c.year).len();
        let limit = s.limit(evaluated);
        let already = self.world.post_subsidies(Some(&policy.id), Some(c.year)).len();
        let mut seen = BTreeSet::new();
        for (i, a) in c.awards.iter().enumerate() {
            let field = format!("awards[{i}].base");
            let b = self.base(&a.base, &field)?;
            if b.policy != policy.id {
                return Err(Refusal::new(
                    RefusalCode::NotAllowed,
                    format!("基地“{}”适用《{}》，不适用本办法", b.official_name, b.policy),
                    format!("base `{}` is under {}, not {}", b.id, b.policy, policy.id),
                )
                .at(field));
            }
            if !seen.insert(a.base.as_str()) {
                return Err(Refusal::new(
                    RefusalCode::Duplicate,
                    format!("基地“{}”在本次后补助中列出两次", b.official_name),
                    format!("base `{}` is listed twice", b.id),
                )
                .at(field));
            }
            self.on_register(b, policy, s.article).map_err(|r| r.at(&field))?;
            match evaluation_grade_in(b, c.year) {
                Some(g) if g == s.grade => {}
                other => {
                    let had = match other {
                        Some(g) => term(&policy.vocabularies.evaluation_grades, g)
                            .map(|t| t.zh.clone())
                            .unwrap_or_else(|| g.to_string()),
                        None => "无评估结果".to_string(),
                    };
                    return Err(Refusal::new(
                        RefusalCode::NotAllowed,
                        format!(
                            "基地“{}”{} 年度评估结果为{had}，不是{grade_zh}，不能给予后补助",
                            b.official_name, c.year
                        ),
                        format!(
                            "base `{}` was not graded {} in the {} evaluation ({})",
                            b.id,
                            s.grade,
                            c.year,
                            other.unwrap_or("no grade")
                        ),
                    )
                    .at(field));
                }
            }
            if let Some(prev) = b.post_subsidies.iter().find(|p| p.event.year == c.year) {
                return Err(Refusal::new(
                    RefusalCode::AlreadyRecorded,
                    format!(
                        "基地“{}”已就 {} 年度评估获得后补助（{}）",
                        b.official_name, c.year, prev.event.document_number
                    ),
                    format!(
                        "base `{}` already received a post-subsidy for the {} evaluation ({})",
                        b.id, c.year, prev.event.document_number
                    ),
                )
                .at(field));
            }
            let amount_field = format!("awards[{i}].amount_wan");
            check_amount_wan(&amount_field, a.amount_wan)?;
            if let Some(max) = s.max_amount_wan
                && a.amount_wan > max
            {
                return Err(Refusal::new(
                    RefusalCode::NotAllowed,
                    format!("金额 {} 万元超过本办法规定的上限 {max} 万元", a.amount_wan),
                    format!("amount {} 万元 is above the policy's {max} 万元", a.amount_wan),
                )
                .at(amount_field));
            }
        }
        if already + c.awards.len() > limit {
            let interp = policy.interpretations.iter().find(|i| i.id == s.interpretation);
            let reading = interp.map(|i| i.reading_zh.as_str()).unwrap_or("");
            return Err(Refusal::new(
                RefusalCode::NotAllowed,
                format!(
                    "超出比例：{} 年度评估了 {evaluated} 个基地，至多 {}%（{}）即 {limit} 个可给予后补助，已给予 {already} 个，本次 {} 个。{reading}",
                    c.year,
                    s.share_percent,
                    s.rounding.zh(),
                    c.awards.len()
                ),
                format!(
                    "beyond the share: {evaluated} bases were evaluated in {}, at most {}% ({limit}) may be awarded; {already} already were, this award names {}",
                    c.year,
                    s.share_percent,
                    c.awards.len()
                ),
            )
            .at("awards"));
        }
        let mut articles = vec![policy.cite(s.article)];
        if let Some(u) = s.use_article {
            articles.push(policy.cite(u));
        }
        Ok(c.awards
            .iter()
            .map(|a| {
                self.ev(
                    base_stream(&a.base),
                    articles.clone(),
                    EventKind::PostSubsidyAwarded(PostSubsidyAwarded {
                        base: a.base.clone(),
                        policy: policy.id.clone(),
                        year: c.year,
                        amount_wan: a.amount_wan.normalize(),
                        document_number: doc.clone(),
                        issued_on: c.issued_on,
                        evaluated: evaluated as u32,
                        limit: limit as u32,
                    }),
                )
            })
            .collect())
    }
}
