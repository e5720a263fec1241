//! 推荐申报国家国际科技合作基地 — which bases the department may recommend to the national
//! programme on a date and why (or why not), the recommendation itself, and what followed.
//!
//! [`national_candidates`] is pure: it reads the bases' grades and evaluations as they were known
//! on the date and the policy's criteria (`lifecycle.national_recommendation`), and gives every
//! base of the policy with a reason for each criterion, met or not. The handler refuses a
//! recommendation of a base that is not a candidate with the same reasons.

use chrono::{Datelike, NaiveDate};
use guohe_policy::model::{Policy, term};
use guohe_policy::national::{NationalCriteria, NationalRecommendation};
use guohe_policy::{ArticleRef, Citation};
use serde::{Deserialize, Serialize};

use crate::refusal::{Refusal, RefusalCode};
use crate::state::{Base, World};

/// 推荐申报国家级基地 — the department recommends bases to the national programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendToNational {
    /// Policy id: the bases recommended are under it.
    pub policy: String,
    /// 推荐年度 — the year of the national call.
    pub year: i32,
    /// 推荐文号 — the recommendation document's number.
    pub document: String,
    /// The recommendation document's date; the criteria are read as of this date.
    pub recommended_on: NaiveDate,
    /// The bases recommended (at least one).
    pub bases: Vec<String>,
}

/// 国家级认定结果 — recognised, or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NationalOutcome {
    /// 认定为国家国际科技合作基地.
    Recognised,
    /// 未获认定.
    NotRecognised,
}

impl NationalOutcome {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            NationalOutcome::Recognised => "认定为国家国际科技合作基地",
            NationalOutcome::NotRecognised => "未获国家级认定",
        }
    }
    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            NationalOutcome::Recognised => "recognised nationally",
            NationalOutcome::NotRecognised => "not recognised nationally",
        }
    }
    /// The code as written in commands.
    pub fn code(self) -> &'static str {
        match self {
            NationalOutcome::Recognised => "recognised",
            NationalOutcome::NotRecognised => "not_recognised",
        }
    }
}

/// 记录国家级认定结果 — what followed a recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordNationalOutcome {
    /// Base id.
    pub base: String,
    /// The recommendation's year.
    pub year: i32,
    /// Recognised or not.
    pub outcome: NationalOutcome,
    /// The national document (科技部文号) or the notice saying it was not recognised.
    pub document: String,
    /// The national document's date (for a recognition: the date it takes effect).
    pub effective_on: NaiveDate,
}

/// A base was recommended to the national programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendedToNational {
    /// Base id.
    pub base: String,
    /// Policy id.
    pub policy: String,
    /// The year of the call.
    pub year: i32,
    /// The recommendation document.
    pub document: String,
    /// Its date.
    pub recommended_on: NaiveDate,
    /// The criteria as met on that date, in Chinese.
    pub reasons: Vec<String>,
}

/// What followed a recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NationalOutcomeRecorded {
    /// Base id.
    pub base: String,
    /// The recommendation's year.
    pub year: i32,
    /// The recommendation document it follows.
    pub recommendation: String,
    /// Recognised or not.
    pub outcome: NationalOutcome,
    /// The national document.
    pub document: String,
    /// Its date.
    pub effective_on: NaiveDate,
    /// What it means for the provincial register, in Chinese (退出管理序列 / 继续纳入省级管理 / 照常运行).
    pub follow_up: String,
}

/// A recommendation as the base's record keeps it, with its outcome once known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NationalRecord {
    /// The recommendation.
    pub recommendation: RecommendedToNational,
    /// The outcome, once recorded, with the day it was recorded.
    pub outcome: Option<(NaiveDate, NationalOutcomeRecorded)>,
}

/// One criterion as read for one base.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionCheck {
    /// `register`, `latest_evaluation`, `annual`, `once_a_year`.
    pub criterion: &'static str,
    /// Met or not.
    pub met: bool,
    /// Why, in Chinese.
    pub reason_zh: String,
    /// Why, in English.
    pub reason_en: String,
    /// The article it applies.
    pub article: Citation,
}

/// A base as the candidate list reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NationalCandidate {
    /// Base id.
    pub base: String,
    /// Official name.
    pub name: String,
    /// Support unit.
    pub unit_name: String,
    /// Its USCC.
    pub uscc: String,
    /// Category code.
    pub category: Option<String>,
    /// Technology domain.
    pub domain: String,
    /// The latest evaluation known on the date: (date, grade code, grade in Chinese).
    pub latest_evaluation: Option<(NaiveDate, String, String)>,
    /// The annual grades of the years looked at: (year, grade code, grade in Chinese).
    pub annual_grades: Vec<(i32, String, String)>,
    /// Every criterion.
    pub checks: Vec<CriterionCheck>,
    /// All criteria met.
    pub eligible: bool,
}

/// 候选名单 — every base of a policy, candidates first, as of a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NationalList {
    /// Policy id.
    pub policy: String,
    /// Policy title.
    pub title: String,
    /// The date the criteria are read on.
    pub as_of: NaiveDate,
    /// The year whose recommendations count for "once a year".
    pub year: i32,
    /// The recommending article.
    pub article: Citation,
    /// The article in Chinese (第二十七条).
    pub article_zh: String,
    /// The interpretation the criteria rely on, in Chinese.
    pub reading_zh: String,
    /// Bases meeting every criterion.
    pub candidates: Vec<NationalCandidate>,
    /// Bases not meeting one, with why.
    pub excluded: Vec<NationalCandidate>,
}

/// The policy's criteria, or the refusal saying the regulation has none.
pub fn criteria(policy: &Policy) -> Result<&NationalCriteria, Refusal> {
    match &policy.lifecycle.national_recommendation {
        Some(NationalRecommendation::Provided(c)) => Ok(c),
        Some(NationalRecommendation::NotProvided(n)) => {
            let r = Refusal::new(
                RefusalCode::NotProvided,
                format!("《{}》未规定推荐申报国家国际科技合作基地：{}", policy.title, n.note_zh),
                format!("{} provides no national recommendation: {}", policy.id, n.note_en),
            )
            .at("policy");
            Err(match n.article {
                Some(a) => r.cite(policy.cite(a)),
                None => r,
            })
        }
        None => Err(Refusal::new(
            RefusalCode::NotProvided,
            format!("《{}》未编码推荐申报国家国际科技合作基地", policy.title),
            format!("{} encodes no national recommendation", policy.id),
        )
        .at("policy")),
    }
}

/// The candidate list of a policy as of a date, for the recommendations of `year`.
pub fn national_candidates(
    world: &World,
    policy: &Policy,
    as_of: NaiveDate,
    year: i32,
) -> Result<NationalList, Refusal> {
    let c = criteria(policy)?;
    let mut bases: Vec<&Base> = world
        .bases
        .values()
        .filter(|b| b.policy == policy.id && b.recognised_on <= as_of)
        .collect();
    bases.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
    let (candidates, excluded): (Vec<_>, Vec<_>) = bases
        .into_iter()
        .map(|b| read_base(policy, c, b, as_of, year))
        .partition(|x| x.eligible);
    let reading_zh = policy
        .interpretations
        .iter()
        .find(|i| i.id == c.interpretation)
        .map(|i| i.reading_zh.clone())
        .unwrap_or_default();
    Ok(NationalList {
        policy: policy.id.clone(),
        title: policy.title.clone(),
        as_of,
        year,
        article: policy.cite(c.article),
        article_zh: policy.cite_zh(c.article),
        reading_zh,
        candidates,
        excluded,
    })
}

fn grade_zh(terms: &[guohe_policy::model::Term], code: &str) -> String {
    term(terms, code)
        .map(|t| t.zh.clone())
        .unwrap_or_else(|| code.to_string())
}

/// Reads every criterion for one base.
pub(crate) fn read_base(
    policy: &Policy,
    c: &NationalCriteria,
    b: &Base,
    as_of: NaiveDate,
    year: i32,
) -> NationalCandidate {
    let v = &policy.vocabularies;
    let cite = |a: ArticleRef| policy.cite(a);
    let mut checks = Vec::new();
    let status = b.status_on(as_of);
    let on_register = status.is_some_and(|s| s.on_register()) && b.status.on_register();
    checks.push(CriterionCheck {
        criterion: "register",
        met: on_register,
        reason_zh: if on_register {
            format!("{as_of} 在册（{}）", status.map(|s| s.zh()).unwrap_or(""))
        } else {
            format!("不在管理序列中（{}）", b.status.zh())
        },
        reason_en: if on_register {
            format!("on the register on {as_of}")
        } else {
            format!("not on the register ({})", b.status.en())
        },
        article: cite(c.article),
    });
    let latest = b.evaluations.iter().rfind(|e| e.on <= as_of);
    let latest_evaluation = latest.map(|e| (e.on, e.grade.clone(), grade_zh(&v.evaluation_grades, &e.grade)));
    if let Some(ec) = &c.latest_evaluation {
        let wanted: Vec<String> = ec.grades.iter().map(|g| grade_zh(&v.evaluation_grades, g)).collect();
        let wanted = wanted.join("或");
        let oldest = as_of
            .checked_sub_months(chrono::Months::new(12 * ec.within_years))
            .unwrap_or(as_of);
        let (met, zh, en) = match latest {
            None => (
                false,
                format!("尚无评估结果（须最近一次评估为{wanted}）"),
                "no evaluation recorded yet".to_string(),
            ),
            Some(e) if e.on < oldest => (
                false,
                format!(
                    "最近一次评估（{}，{}）早于{}年前",
                    e.on,
                    grade_zh(&v.evaluation_grades, &e.grade),
                    ec.within_years
                ),
                format!(
                    "the latest evaluation ({}) is older than {} years",
                    e.on, ec.within_years
                ),
            ),
            Some(e) if ec.grades.contains(&e.grade) => (
                true,
                format!("最近一次评估为{}（{}）", grade_zh(&v.evaluation_grades, &e.grade), e.on),
                format!("latest evaluation {} on {}", e.grade, e.on),
            ),
            Some(e) => (
                false,
                format!(
                    "最近一次评估为{}（{}），须为{wanted}",
                    grade_zh(&v.evaluation_grades, &e.grade),
                    e.on
                ),
                format!(
                    "latest evaluation {} on {}, needs {}",
                    e.grade,
                    e.on,
                    ec.grades.join("/")
                ),
            ),
        };
        checks.push(CriterionCheck {
            criterion: "latest_evaluation",
            met,
            reason_zh: zh,
            reason_en: en,
            article: cite(ec.article),
        });
    }
    let mut annual_grades = Vec::new();
    if let Some(ac) = &c.annual {
        let from = as_of.year() - ac.years as i32;
        let to = as_of.year() - 1;
        let known: Vec<(i32, &String)> = b
            .annual_grades
            .range(from..=to)
            .filter(|(_, g)| g.recorded_on <= as_of)
            .map(|(y, g)| (*y, &g.grade))
            .collect();
        annual_grades = known
            .iter()
            .map(|(y, g)| (*y, (*g).clone(), grade_zh(&v.annual_grades, g)))
            .collect();
        let bad: Vec<String> = known
            .iter()
            .filter(|(_, g)| ac.excluded_grades.contains(g))
            .map(|(y, g)| format!("{y}年度{}", grade_zh(&v.annual_grades, g)))
            .collect();
        let excluded_zh: Vec<String> = ac
            .excluded_grades
            .iter()
            .map(|g| grade_zh(&v.annual_grades, g))
            .collect();
        let (met, zh, en) = if bad.is_empty() {
            (
                true,
                format!(
                    "{from}—{to}年度考核无{}（已记录 {} 个年度）",
                    excluded_zh.join("、"),
                    known.len()
                ),
                format!("no {} annual grade in {from}–{to}", ac.excluded_grades.join("/")),
            )
        } else {
            (
                false,
                format!("{from}—{to}年度考核有{}", bad.join("、")),
                format!("an excluded annual grade in {from}–{to}"),
            )
        };
        checks.push(CriterionCheck {
            criterion: "annual",
            met,
            reason_zh: zh,
            reason_en: en,
            article: cite(ac.article),
        });
    }
    if let Some(r) = b.national.iter().find(|r| r.recommendation.year == year) {
        checks.push(CriterionCheck {
            criterion: "once_a_year",
            met: false,
            reason_zh: format!(
                "{year}年度已推荐（{}，{}）",
                r.recommendation.document, r.recommendation.recommended_on
            ),
            reason_en: format!("already recommended for {year}"),
            article: cite(c.article),
        });
    }
    let eligible = checks.iter().all(|x| x.met);
    NationalCandidate {
        base: b.id.clone(),
        name: b.official_name.clone(),
        unit_name: b.unit_name.clone(),
        uscc: b.uscc.clone(),
        category: b.category.clone(),
        domain: b.domain.clone(),
        latest_evaluation,
        annual_grades,
        checks,
        eligible,
    }
}
