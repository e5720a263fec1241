//! 推荐申报国家国际科技合作基地 — deciding recommendations and recording what followed.

use chrono::Datelike;
use guohe_policy::model::Policy;
use guohe_policy::national::{NationalCriteria, OnRecognition};

use super::{H, R, check_id, non_empty};
use crate::actor::Role;
use crate::command::RecordFinding;
use crate::consequence::base_stream;
use crate::event::EventKind;
use crate::national::*;
use crate::refusal::{Refusal, RefusalCode};

/// Documents are typed by hand and printed on lists: a sensible bound.
const MAX_DOCUMENT_CHARS: usize = 120;

fn document_check(field: &str, v: &str) -> Result<(), Refusal> {
    non_empty(field, v, "文号")?;
    if v.trim().chars().count() > MAX_DOCUMENT_CHARS || v.chars().any(char::is_control) {
        return Err(Refusal::invalid(
            field,
            format!("文号须为1—{MAX_DOCUMENT_CHARS}个字符，不含控制字符"),
            format!("the document number must be 1–{MAX_DOCUMENT_CHARS} characters without control characters"),
        ));
    }
    Ok(())
}

/// The article and interpretation a recommendation applies.
fn cited_articles(policy: &Policy, c: &NationalCriteria) -> Vec<guohe_policy::Citation> {
    let mut v = vec![policy.cite(c.article)];
    if let Some(i) = policy.interpretations.iter().find(|i| i.id == c.interpretation)
        && i.article != c.article
    {
        v.push(policy.cite(i.article));
    }
    v
}

impl H<'_, '_> {
    pub(super) fn recommend_national(&self, c: RecommendToNational) -> R {
        self.role(
            &[Role::Department],
            "推荐申报国家级基地",
            "recommend bases to the national programme",
        )?;
        let policy = self.policy(&c.policy)?;
        let crit = criteria(policy)?;
        let cite = || policy.cite(crit.article);
        document_check("document", &c.document).map_err(|r| r.cite(cite()))?;
        if c.year < 2000 || c.year > self.ctx.today.year() + 1 {
            return Err(Refusal::invalid(
                "year",
                format!("推荐年度 {} 无效：须在2000年至明年之间", c.year),
                format!("year {} must be between 2000 and next year", c.year),
            )
            .cite(cite()));
        }
        if c.recommended_on > self.ctx.today {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                format!("推荐日期 {} 晚于今天", c.recommended_on),
                format!("recommended_on {} is in the future", c.recommended_on),
            )
            .cite(cite())
            .at("recommended_on"));
        }
        if c.bases.is_empty() {
            return Err(Refusal::invalid("bases", "请至少选择一个基地", "choose at least one base").cite(cite()));
        }
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, id) in c.bases.iter().enumerate() {
            let field = format!("bases[{i}]");
            check_id(&field, id)?;
            if !seen.insert(id.as_str()) {
                return Err(Refusal::new(
                    RefusalCode::Duplicate,
                    format!("基地“{id}”重复"),
                    format!("base `{id}` is listed twice"),
                )
                .cite(cite())
                .at(field));
            }
            let b = self.base(id, &field)?;
            if b.policy != policy.id {
                return Err(Refusal::new(
                    RefusalCode::NotAllowed,
                    format!("基地“{}”不属于《{}》", b.official_name, policy.title),
                    format!("base `{id}` is not under {}", policy.id),
                )
                .cite(cite())
                .at(field));
            }
            let read = read_base(policy, crit, b, c.recommended_on, c.year);
            if let Some(x) = read.checks.iter().find(|x| !x.met) {
                let code = match x.criterion {
                    "register" => RefusalCode::WrongState,
                    "once_a_year" => RefusalCode::AlreadyRecorded,
                    _ => RefusalCode::NotAllowed,
                };
                let art = x.article.clone();
                return Err(Refusal::new(
                    code,
                    format!(
                        "基地“{}”不符合推荐条件：{}（{}）",
                        b.official_name,
                        x.reason_zh,
                        policy.cite_zh(art.at)
                    ),
                    format!("base `{id}` does not qualify: {}", x.reason_en),
                )
                .cite(art)
                .at(field));
            }
            out.push(self.ev(
                base_stream(id),
                cited_articles(policy, crit),
                EventKind::RecommendedToNational(RecommendedToNational {
                    base: id.clone(),
                    policy: policy.id.clone(),
                    year: c.year,
                    document: c.document.trim().to_string(),
                    recommended_on: c.recommended_on,
                    reasons: read.checks.iter().map(|x| x.reason_zh.clone()).collect(),
                }),
            ));
        }
        Ok(out)
    }

    pub(super) fn national_outcome(&self, c: RecordNationalOutcome) -> R {
        self.role(&[Role::Department], "记录国家级认定结果", "record national outcomes")?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let crit = criteria(policy)?;
        let cite = || policy.cite(crit.article);
        document_check("document", &c.document).map_err(|r| r.cite(cite()))?;
        let Some(rec) = b.national.iter().find(|r| r.recommendation.year == c.year) else {
            return Err(Refusal::new(
                RefusalCode::NotFound,
                format!("基地“{}”{}年度未被推荐申报国家级基地", b.official_name, c.year),
                format!("base `{}` was not recommended for {}", b.id, c.year),
            )
            .cite(cite())
            .at("year"));
        };
        if rec.outcome.is_some() {
            return Err(Refusal::new(
                RefusalCode::AlreadyRecorded,
                format!("基地“{}”{}年度推荐的结果已记录", b.official_name, c.year),
                format!("the outcome of the {} recommendation is already recorded", c.year),
            )
            .cite(cite())
            .at("year"));
        }
        if c.effective_on > self.ctx.today || c.effective_on < rec.recommendation.recommended_on {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                format!(
                    "日期 {} 须在推荐日期 {} 与今天之间",
                    c.effective_on, rec.recommendation.recommended_on
                ),
                format!(
                    "effective_on {} must be between the recommendation ({}) and today",
                    c.effective_on, rec.recommendation.recommended_on
                ),
            )
            .cite(cite())
            .at("effective_on"));
        }
        let mut articles = vec![cite()];
        let mut then = Vec::new();
        let follow_up = match (c.outcome, &crit.on_recognition) {
            (NationalOutcome::NotRecognised, _) => "未获认定，基地照常运行".to_string(),
            (NationalOutcome::Recognised, OnRecognition::Stays(a)) => {
                self.on_register(b, policy, *a)?;
                articles.push(policy.cite(*a));
                format!(
                    "认定为国家基地，依{}继续纳入省国合基地管理，不再重复认定",
                    policy.cite_zh(*a)
                )
            }
            (NationalOutcome::Recognised, OnRecognition::Finding(f)) => {
                // The finding's consequence (Hunan 第十七条: 退出管理序列) follows from the
                // national document's date, exactly as when the finding is recorded alone.
                then = self
                    .finding(RecordFinding {
                        case: format!("base/{}", b.id),
                        finding: f.clone(),
                        effective_on: c.effective_on,
                        evidence: c.document.trim().to_string(),
                    })
                    .map_err(|r| match r.citation {
                        Some(_) => r,
                        None => r.cite(cite()),
                    })?;
                if let Some(a) = then.iter().flat_map(|e| e.articles.iter()).next() {
                    articles.push(a.clone());
                }
                if b.status.on_register() && then.iter().any(|e| matches!(e.kind, EventKind::BaseExitedNational(_))) {
                    format!("认定为国家基地，自{}起退出省级管理序列", c.effective_on)
                } else {
                    "认定为国家基地".to_string()
                }
            }
        };
        let mut out = vec![self.ev(
            base_stream(&b.id),
            articles,
            EventKind::NationalOutcomeRecorded(NationalOutcomeRecorded {
                base: b.id.clone(),
                year: c.year,
                recommendation: rec.recommendation.document.clone(),
                outcome: c.outcome,
                document: c.document.trim().to_string(),
                effective_on: c.effective_on,
                follow_up,
            }),
        )];
        out.extend(then);
        Ok(out)
    }
}
