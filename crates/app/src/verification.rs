//! 核验服务 — whether a unit held a validly named base on a date, for other programmes that give
//! named bases priority (湖北第十九条、第二十条；湖南第十九条), with a signed statement the
//! asking system can keep as evidence.
//!
//! The answer is the register as of the date asked: a base counts when it was named (or
//! recognised) on or before that date and had not been terminated, revoked, disqualified or
//! left for the national register by then; a base under rectification still counts, and the
//! answer says so. The latest annual assessment grade and evaluation result known on that date
//! (recorded on or before it) come with each base. The articles cited are the policy's
//! `priority` list, never a constant here.
//!
//! Nothing personal is in an answer: no director, no contact, no account — only the unit (a
//! legal person), its bases and their public statuses.
//!
//! The statement is a short text of `name=value` lines ([`Statement::canonical_text`]) signed
//! with SM2 (SM3 digest, GM/T 0009 default identifier) under the key file's
//! [`guohe_keys::signing::VERIFICATION_SIGNING`] entry.

use chrono::{Datelike, NaiveDate};
use guohe_domain::{Base, BaseStatus, Refusal};
use guohe_policy::PolicySet;
use serde::Serialize;

mod statement;

pub use statement::{DEFAULT_STATEMENT_TTL, NoStatement, STATEMENT_FORMAT, Statement};

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifyResult {
    /// At least one base of the unit was validly named and running normally (正常运行).
    Named,
    /// Validly named, but every such base was under rectification (限期整改) on the date.
    NamedUnderRectification,
    /// No validly named base on the date.
    NotNamed,
}

impl VerifyResult {
    /// The code, as in the statement.
    pub fn code(self) -> &'static str {
        match self {
            VerifyResult::Named => "named",
            VerifyResult::NamedUnderRectification => "named_under_rectification",
            VerifyResult::NotNamed => "not_named",
        }
    }

    /// Whether the unit held a validly named base.
    pub fn held(self) -> bool {
        self != VerifyResult::NotNamed
    }

    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            VerifyResult::Named => "该单位于核验日期依托有效命名的省级国际科技合作基地",
            VerifyResult::NamedUnderRectification => {
                "该单位于核验日期依托有效命名的省级国际科技合作基地，但基地正在限期整改"
            }
            VerifyResult::NotNamed => "该单位于核验日期未依托有效命名的省级国际科技合作基地",
        }
    }

    /// In English.
    pub fn en(self) -> &'static str {
        match self {
            VerifyResult::Named => "The unit held a validly named provincial base on the date",
            VerifyResult::NamedUnderRectification => {
                "The unit held a validly named provincial base on the date, under rectification"
            }
            VerifyResult::NotNamed => "The unit held no validly named provincial base on the date",
        }
    }
}

/// An annual assessment grade (年度考核) known on the date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnualGradeAsOf {
    /// The year assessed.
    pub year: i32,
    /// Grade code (policy vocabulary).
    pub grade: String,
    /// In Chinese.
    pub grade_zh: String,
    /// In English.
    pub grade_en: String,
    /// Recorded on.
    pub recorded_on: NaiveDate,
}

/// An evaluation result (评估结果) known on the date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationAsOf {
    /// The year of the result.
    pub year: i32,
    /// Recorded on.
    pub on: NaiveDate,
    /// Grade code (policy vocabulary).
    pub grade: String,
    /// In Chinese.
    pub grade_zh: String,
    /// In English.
    pub grade_en: String,
    /// A re-evaluation after rectification (整改后复评).
    pub re_evaluation: bool,
}

/// One base of the unit, as it stood on the date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifiedBase {
    /// Base id.
    pub id: String,
    /// Official name (as it stands now; renamings are not dated).
    pub official_name: String,
    /// Support unit.
    pub unit_name: String,
    /// Province.
    pub province: String,
    /// Policy id.
    pub policy: String,
    /// Category code, if the policy has categories.
    pub category: Option<String>,
    /// Category in Chinese.
    pub category_zh: String,
    /// Technology domain.
    pub domain: String,
    /// Named (or recognised) on.
    pub named_on: NaiveDate,
    /// Status code on the date: `active`, `rectification`, `terminated`, `revoked`,
    /// `disqualified`, `exited_national`.
    pub status: String,
    /// Status in Chinese.
    pub status_zh: String,
    /// Status in English.
    pub status_en: String,
    /// End of the rectification period, when under rectification.
    pub rectification_until: Option<NaiveDate>,
    /// Validly named on the date (active or under rectification).
    pub valid: bool,
    /// The latest annual assessment grade recorded on or before the date.
    pub annual_assessment: Option<AnnualGradeAsOf>,
    /// The latest evaluation result recorded on or before the date.
    pub evaluation: Option<EvaluationAsOf>,
}

/// An article giving named bases priority, from the policy's `priority` list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorityCitation {
    /// Machine citation, e.g. `hubei-2022:19`.
    pub citation: String,
    /// 第十九条.
    pub article_zh: String,
    /// The regulation and its number.
    pub regulation: String,
    /// What priority the article gives.
    pub scope: String,
}

/// The answer to "did this unit hold a validly named base on this date?".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verification {
    /// The unit's unified social credit code.
    pub uscc: String,
    /// The date asked about.
    pub on: NaiveDate,
    /// The verdict.
    pub result: VerifyResult,
    /// Whether the unit held a validly named base (`result` is not `not_named`).
    pub held: bool,
    /// The verdict in Chinese.
    pub result_zh: String,
    /// The verdict in English.
    pub result_en: String,
    /// The unit's name, when it has (or had) a base.
    pub unit_name: Option<String>,
    /// Every base of the unit named on or before the date, valid ones first.
    pub bases: Vec<VerifiedBase>,
    /// The articles that give the priority.
    pub priority: Vec<PriorityCitation>,
}

impl Verification {
    /// The ids of the bases validly named on the date.
    pub fn valid_base_ids(&self) -> Vec<String> {
        self.bases.iter().filter(|b| b.valid).map(|b| b.id.clone()).collect()
    }
}

/// A unit found by name, for the public page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitMatch {
    /// USCC.
    pub uscc: String,
    /// Name.
    pub unit_name: String,
}

/// Reads a USCC as typed (spaces trimmed, letters upper-cased) and checks it (GB 32100 with the
/// GB 11714 organisation code check). The refusal names the field `uscc`.
pub fn parse_uscc(input: &str) -> Result<String, Refusal> {
    let code = input.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err(Refusal::invalid(
            "uscc",
            "请填写统一社会信用代码",
            "the unified social credit code is required",
        ));
    }
    guohe_reference::uscc::parse(&code)
        .map(|u| u.as_str().to_string())
        .map_err(|e| Refusal::invalid("uscc", e.message_zh(), e.to_string()))
}

/// The date asked about: `on` when given (not after `today`), else `today`. The refusal names
/// the field `on`.
pub fn check_date(on: Option<NaiveDate>, today: NaiveDate) -> Result<NaiveDate, Refusal> {
    match on {
        Some(d) if d > today => Err(Refusal::invalid(
            "on",
            format!("核验日期不能晚于今天（{today}）：未来的名录尚不存在"),
            format!("the date must not be after today ({today}): the register of a future day does not exist yet"),
        )),
        Some(d) => Ok(d),
        None => Ok(today),
    }
}

/// The answer for a checked USCC on a checked date (see [`parse_uscc`], [`check_date`]), from
/// `candidates`: the bases that may be the unit's (the register view's unit index gives them, so
/// the answer costs the unit's bases, not the register's); those of another USCC are ignored.
pub fn verify(candidates: &[&Base], policies: &PolicySet, uscc: &str, on: NaiveDate) -> Verification {
    let mine = || candidates.iter().copied().filter(|b| b.uscc == uscc);
    let mut bases: Vec<VerifiedBase> = mine()
        .filter_map(|b| b.status_on(on).map(|s| verified_base(policies, b, s, on)))
        .collect();
    bases.sort_by(|a, b| b.valid.cmp(&a.valid).then_with(|| a.id.cmp(&b.id)));
    let result = if bases.iter().any(|b| b.valid && b.status == "active") {
        VerifyResult::Named
    } else if bases.iter().any(|b| b.valid) {
        VerifyResult::NamedUnderRectification
    } else {
        VerifyResult::NotNamed
    };
    let unit_name = mine()
        .max_by_key(|b| (b.recognised_on, &b.id))
        .map(|b| b.unit_name.clone());
    // The policies of the unit's bases; for a unit without one, those of its province (from the
    // USCC's division code), so a refusal of priority still names the article it rests on.
    let mut policy_ids: Vec<String> = bases.iter().map(|b| b.policy.clone()).collect();
    if policy_ids.is_empty() {
        let province = uscc.get(2..4).unwrap_or("");
        policy_ids = policies
            .all()
            .iter()
            .filter(|p| p.province.code == province)
            .map(|p| p.id.clone())
            .collect();
    }
    policy_ids.sort();
    policy_ids.dedup();
    let priority = policy_ids
        .iter()
        .filter_map(|id| policies.get(id))
        .flat_map(|p| {
            p.priority.iter().map(move |pr| PriorityCitation {
                citation: p.cite(pr.article).to_string(),
                article_zh: p.cite_zh(pr.article),
                regulation: format!("{}（{}）", p.title, p.document_number),
                scope: pr.scope.clone(),
            })
        })
        .collect();
    Verification {
        uscc: uscc.to_string(),
        on,
        result,
        held: result.held(),
        result_zh: result.zh().to_string(),
        result_en: result.en().to_string(),
        unit_name,
        bases,
        priority,
    }
}

fn status_code(s: BaseStatus) -> &'static str {
    match s {
        BaseStatus::Active => "active",
        BaseStatus::UnderRectification { .. } => "rectification",
        BaseStatus::Terminated => "terminated",
        BaseStatus::Revoked => "revoked",
        BaseStatus::Disqualified { .. } => "disqualified",
        BaseStatus::ExitedNational => "exited_national",
    }
}

fn verified_base(policies: &PolicySet, b: &Base, status: BaseStatus, on: NaiveDate) -> VerifiedBase {
    let policy = policies.get(&b.policy);
    let label = |terms: Option<&Vec<guohe_policy::model::Term>>, code: &str| -> (String, String) {
        terms
            .and_then(|ts| ts.iter().find(|t| t.code == code))
            .map(|t| (t.zh.clone(), t.en.clone()))
            .unwrap_or_else(|| (code.to_string(), code.to_string()))
    };
    let annual_assessment = b
        .annual_grades
        .iter()
        .filter(|(_, g)| g.recorded_on <= on)
        .max_by_key(|(year, g)| (**year, g.recorded_on))
        .map(|(year, g)| {
            let (zh, en) = label(policy.map(|p| &p.vocabularies.annual_grades), &g.grade);
            AnnualGradeAsOf {
                year: *year,
                grade: g.grade.clone(),
                grade_zh: zh,
                grade_en: en,
                recorded_on: g.recorded_on,
            }
        });
    let evaluation = b
        .evaluations
        .iter()
        .filter(|e| e.on <= on)
        .max_by_key(|e| e.on)
        .map(|e| {
            let (zh, en) = label(policy.map(|p| &p.vocabularies.evaluation_grades), &e.grade);
            EvaluationAsOf {
                year: e.on.year(),
                on: e.on,
                grade: e.grade.clone(),
                grade_zh: zh,
                grade_en: en,
                re_evaluation: e.re_evaluation,
            }
        });
    let category_zh = match &b.category {
        Some(c) => label(policy.map(|p| &p.vocabularies.categories), c).0,
        None => String::new(),
    };
    VerifiedBase {
        id: b.id.clone(),
        official_name: b.official_name.clone(),
        unit_name: b.unit_name.clone(),
        province: policy.map(|p| p.province.name.clone()).unwrap_or_default(),
        policy: b.policy.clone(),
        category: b.category.clone(),
        category_zh,
        domain: b.domain.clone(),
        named_on: b.recognised_on,
        status: status_code(status).to_string(),
        status_zh: status.zh().to_string(),
        status_en: status.en().to_string(),
        rectification_until: match status {
            BaseStatus::UnderRectification { until } => Some(until),
            _ => None,
        },
        valid: status.on_register(),
        annual_assessment,
        evaluation,
    }
}

/// What the audit record of an answer holds: the question and the answer, nothing personal.
pub fn audit_payload(v: &Verification, via: &str, statement: Option<&Statement>) -> serde_json::Value {
    serde_json::json!({
        "via": via,
        "uscc": v.uscc,
        "on": v.on,
        "result": v.result.code(),
        "bases": v.valid_base_ids(),
        "statement_issued_at": statement.map(|s| s.issued_at.clone()),
        "statement_key": statement.map(|s| format!("{}/{}", s.key_name, s.key_version)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_uscc_is_checked_and_read_upper_case() {
        let good = "91420100MA4K56786D";
        assert_eq!(parse_uscc(" 91420100ma4k56786d ").unwrap(), good);
        let r = parse_uscc("91420100MA4K56786E").unwrap_err();
        assert_eq!(r.field.as_deref(), Some("uscc"));
        assert!(r.message_zh.contains("校验") && !r.message_en.is_empty(), "{r:?}");
        assert_eq!(parse_uscc("").unwrap_err().field.as_deref(), Some("uscc"));
    }

    #[test]
    fn the_date_defaults_to_today_and_never_lies_ahead() {
        let today = d("2026-11-20");
        assert_eq!(check_date(None, today).unwrap(), today);
        assert_eq!(check_date(Some(d("2019-01-01")), today).unwrap(), d("2019-01-01"));
        let r = check_date(Some(d("2026-11-21")), today).unwrap_err();
        assert_eq!(r.field.as_deref(), Some("on"));
    }

    #[test]
    fn an_empty_world_names_no_base_but_cites_the_province_articles() {
        let policies = PolicySet::default();
        let v = verify(&[], &policies, "91420100MA4K56786D", d("2026-11-20"));
        assert_eq!((v.result, v.held), (VerifyResult::NotNamed, false));
        let cited: Vec<&str> = v.priority.iter().map(|p| p.citation.as_str()).collect();
        assert_eq!(cited, ["hubei-2022:19", "hubei-2022:20"]);
        assert_eq!(v.priority[1].article_zh, "第二十条");
    }

    /// The service answers from the unit's bases (the register view's unit index) what an
    /// answer from every base of the register gives, for every unit and on several dates.
    #[tokio::test(flavor = "multi_thread")]
    async fn the_unit_index_answers_as_the_whole_register() {
        let (g, _dir) = crate::unit_desk::fixture::generated().await;
        let today = crate::unit_desk::fixture::today();
        let units: std::collections::BTreeSet<String> =
            g.read(|w, _, _| w.bases().map(|b| b.uscc.clone()).collect()).await;
        assert!(units.len() > 5, "{units:?}");
        let mut named = 0;
        for uscc in &units {
            for on in [today, d("2024-06-30"), d("2020-01-01")] {
                let by_index = g.verify_unit(&uscc.to_lowercase(), Some(on), today).await.unwrap();
                let by_scan = g
                    .read(|w, _, p| verify(&w.bases().collect::<Vec<_>>(), p, uscc, on))
                    .await;
                assert_eq!(by_index, by_scan, "{uscc} on {on}");
                named += usize::from(by_index.held);
            }
        }
        assert!(named > 5, "some units held a base: {named}");
    }
}
