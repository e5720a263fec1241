//! The application's facts: what a support unit declares, and what the register says.
//!
//! [`Application`] is the typed input (its JSON Schema is `docs/application-facts.schema.json`,
//! generated from these types). [`Application::parse`] reads JSON and reports the first problem
//! with its field path, in Chinese and English; [`Application::validate`] checks what depends on
//! the policy (vocabulary codes, the province). [`FactTree`] is the form the interpreter reads:
//! exact decimals, dates, lists and records, addressed by the paths of [`CATALOGUE`].

use std::borrow::Cow;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Affiliation, Policy, term};

mod catalogue;
mod records;
mod tree;
mod validate;

pub use catalogue::*;
pub use records::*;
pub use tree::*;

/// An exact decimal amount: a JSON number (kept exact, never a float) or text such as `"5%"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Amount(pub Decimal);

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match serde_json::Number::from_str(&self.0.normalize().to_string()) {
            Ok(n) => n.serialize(s),
            Err(_) => s.collect_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let parsed = match &v {
            serde_json::Value::Number(n) => {
                let s = n.to_string();
                Decimal::from_str(&s).or_else(|_| Decimal::from_scientific(&s)).ok()
            }
            serde_json::Value::String(s) => {
                let s = s.trim();
                match s.strip_suffix('%') {
                    Some(p) => Decimal::from_str(p.trim()).ok().map(|d| d / Decimal::ONE_HUNDRED),
                    None => Decimal::from_str(s).ok(),
                }
            }
            _ => None,
        };
        parsed.map(Amount).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected an exact number such as 1250000.50 or a percentage such as \"5%\", found {v}"
            ))
        })
    }
}

impl JsonSchema for Amount {
    fn schema_name() -> Cow<'static, str> {
        "Amount".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An exact decimal: a JSON number, or text such as \"1250000.50\" or \"5%\".",
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?%?$"}
            ]
        })
    }
}

/// 依托单位 — the support unit.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Full registered name.
    pub name: String,
    /// 统一社会信用代码 (GB 32100), check character validated.
    pub uscc: String,
    /// Kind of unit (a code of the policy's `unit_kinds`).
    pub kind: String,
    /// 隶属关系.
    pub affiliation: Affiliation,
    /// GB/T 2260 code of the unit's region (e.g. 430100 长沙市).
    pub region_code: String,
    /// Registered in the policy's province (在省内依法登记注册).
    pub registered_in_province: bool,
    /// 独立法人.
    pub independent_legal_person: bool,
    /// 在有效存续期内.
    #[serde(default = "yes")]
    pub in_existence: bool,
    /// 不良信用记录.
    #[serde(default)]
    pub bad_credit_records: Vec<DatedRecord>,
    /// 不良科研诚信记录.
    #[serde(default)]
    pub integrity_records: Vec<DatedRecord>,
    /// Sales revenue and R&D expense by fiscal year (enterprises).
    #[serde(default)]
    pub finance: Vec<FiscalYear>,
    /// 建有国际研发中心.
    #[serde(default)]
    pub international_rd_centre: bool,
    /// 拥有国际化研发团队.
    #[serde(default)]
    pub international_rd_team: bool,
    /// 产品在目标境外市场的占有份额 (0.05 or "5%").
    #[serde(default)]
    pub overseas_market_share: Option<Amount>,
    /// 拿到相当于5%份额的订单.
    #[serde(default)]
    pub overseas_orders_equivalent: bool,
    /// 园区入驻企业 (park committees).
    #[serde(default)]
    pub park_enterprises: Vec<ParkEnterprise>,
    /// 园区聚焦的产业领域 (park committees).
    #[serde(default)]
    pub park_industry_domains: Vec<String>,
    /// 合作的境外技术转移、创新服务机构 (technology service organisations).
    #[serde(default)]
    pub partner_organisations: Vec<PartnerInstitution>,
    /// 组织或举办的国际科技交流活动.
    #[serde(default)]
    pub international_events: Vec<DatedItem>,
    /// 中外联合实验室等科研平台或稳定的联合研究机制.
    #[serde(default)]
    pub joint_lab_or_mechanism: bool,
    /// 中外联合发表的论文.
    #[serde(default)]
    pub joint_papers: Vec<DatedItem>,
    /// 中外联合承办的学术交流活动.
    #[serde(default)]
    pub joint_academic_events: Vec<DatedItem>,
    /// 承担的国际科技合作项目.
    #[serde(default)]
    pub international_projects: Vec<Project>,
    /// 标志性跨境合作技术成果.
    #[serde(default)]
    pub landmark_results: Vec<DatedItem>,
    /// 已成功实施的国际技术转移项目.
    #[serde(default)]
    pub technology_transfers: Vec<TechnologyTransfer>,
    /// 组织举办的重大国际活动.
    #[serde(default)]
    pub major_events_organised: Vec<DatedItem>,
    /// Hunan 第五条第4项 management systems.
    #[serde(default)]
    pub management_systems: ManagementSystems,
    /// 海外示范基地.
    #[serde(default)]
    pub overseas_demonstration_base: bool,
}

fn yes() -> bool {
    true
}

/// 职称 — professional title.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Title {
    /// 正高级.
    Senior,
    /// 副高级.
    DeputySenior,
    /// 中级.
    Intermediate,
    /// 其他.
    Other,
}

/// 基地负责人 — the base director.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Director {
    /// Name.
    pub name: String,
    /// 依托单位正式员工.
    pub formal_employee: bool,
    /// 职称.
    pub title: Title,
    /// 同等研究能力 (declared where the title is not 正高级).
    #[serde(default)]
    pub equivalent_ability: bool,
    /// 基地科研工作负责人或主要科研团队牵头人.
    #[serde(default)]
    pub research_lead: bool,
    /// 不良信用记录.
    #[serde(default)]
    pub bad_credit_records: Vec<DatedRecord>,
    /// 不良科研诚信记录.
    #[serde(default)]
    pub integrity_records: Vec<DatedRecord>,
    /// Projects led as 负责人.
    #[serde(default)]
    pub projects_led: Vec<Project>,
}

/// The primary partner country or region (Hubei 第十一条).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PrimaryPartner {
    /// ISO 3166 alpha-2 code; 中国香港 HK, 中国澳门 MO, 中国台湾 TW allowed (Hunan 第二十一条).
    pub country: String,
    /// When the main partner is an international organisation.
    #[serde(default)]
    pub organisation: Option<PartnerOrganisation>,
}

/// An international organisation as main partner.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartnerOrganisation {
    /// Its name.
    pub name: String,
    /// The country of its headquarters.
    pub headquarters_country: String,
    /// Why `country` was chosen: the headquarters, or where the main joint project is.
    pub country_basis: CountryBasis,
}

/// Basis of the primary country for an international organisation.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CountryBasis {
    /// 国际组织总部所在国家（地区）.
    Headquarters,
    /// 双方主要科研合作项目所在国家（地区）.
    ProjectLocation,
}

/// An attachment backing a declaration.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// What it proves (a code used by attested rules, e.g. `management_systems`).
    pub kind: String,
    /// File name.
    pub file: String,
}

/// Facts from the register, not from the applicant.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RegistryFacts {
    /// The unit already holds a validly named base in this technology domain.
    #[serde(default)]
    pub unit_holds_base_in_domain: bool,
    /// The director already heads a validly named base.
    #[serde(default)]
    pub director_heads_base: bool,
    /// The unit is barred from applying until this date (exclusive).
    #[serde(default)]
    pub unit_banned_until: Option<NaiveDate>,
}

/// 申报 — an application's facts.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// The policy applied for, e.g. `hunan-2026`.
    pub policy: String,
    /// 申报日期; look-back windows (近N年) count back from it.
    pub application_date: NaiveDate,
    /// 基地类型 (a code of the policy's categories; required where the policy has categories).
    #[serde(default)]
    pub category: Option<String>,
    /// 技术领域, e.g. 生物医药.
    pub technology_domain: String,
    /// 主要合作国家（地区）.
    pub primary_partner: PrimaryPartner,
    /// 国（境）外合作伙伴.
    #[serde(default)]
    pub partner_institutions: Vec<PartnerInstitution>,
    /// 依托单位.
    pub unit: Unit,
    /// 基地负责人.
    pub director: Director,
    /// 附件.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Facts from the register (may also be given separately).
    #[serde(default)]
    pub registry: RegistryFacts,
}

/// A problem with the facts, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message_en}")]
pub struct FactError {
    /// JSON path of the field, e.g. `unit.uscc` or `unit.finance[2].year`.
    pub path: String,
    /// What is wrong, in Chinese.
    pub message_zh: String,
    /// What is wrong, in English.
    pub message_en: String,
}

impl FactError {
    /// A new error.
    pub fn new(path: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        FactError {
            path: path.into(),
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }
}

/// The JSON Schema of [`Application`] (draft 2020-12), as published in
/// `docs/application-facts.schema.json`.
pub fn json_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Application)).unwrap_or_default();
    if let Some(o) = schema.as_object_mut() {
        o.insert(
            "$id".into(),
            "https://guohe.example/schemas/application-facts.json".into(),
        );
        o.insert(
            "description".into(),
            "Guohe application facts: what a support unit declares for an eligibility check, plus facts from the register.".into(),
        );
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf_paths(v: &serde_json::Value, path: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if !path.is_empty() && !path.ends_with("[]") {
                    out.push(path.to_string());
                }
                for (k, v) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    leaf_paths(v, &p, out);
                }
            }
            serde_json::Value::Array(items) => {
                out.push(path.to_string());
                for i in items {
                    leaf_paths(i, &format!("{path}[]"), out);
                }
            }
            _ => out.push(path.to_string()),
        }
    }

    /// Every field of a fully filled application is in the catalogue and every catalogue entry
    /// is a field: the two cannot drift apart.
    #[test]
    fn catalogue_matches_the_application_type() {
        let app = Application::parse(include_str!("../tests/fixtures/full-application.json")).unwrap();
        let mut paths = Vec::new();
        leaf_paths(&serde_json::to_value(&app).unwrap(), "", &mut paths);
        paths.sort();
        paths.dedup();
        let mut catalogue: Vec<String> = CATALOGUE.iter().map(|e| e.0.to_string()).collect();
        catalogue.sort();
        assert_eq!(paths, catalogue);
    }

    /// Every text fact of the catalogue is either free text or has a known set of codes, and the
    /// enumerations are read from the types.
    #[test]
    fn code_domains_cover_the_enumerations() {
        assert!(
            matches!(code_domain("unit.international_projects[].level"), Some(CodeDomain::Enumeration(c)) if c.contains(&"national".to_string()) && c.len() == 5)
        );
        assert!(
            matches!(code_domain("director.title"), Some(CodeDomain::Enumeration(c)) if c.contains(&"deputy_senior".to_string()))
        );
        assert!(
            matches!(code_domain("unit.partner_organisations[].kind"), Some(CodeDomain::Enumeration(c)) if c.contains(&"innovation_service".to_string()))
        );
        assert_eq!(code_domain("unit.kind"), Some(CodeDomain::Vocabulary("unit_kinds")));
        assert_eq!(code_domain("primary_partner.country"), Some(CodeDomain::Country));
        assert_eq!(code_domain("unit.name"), None);
        assert_eq!(code_domain("attachments[].kind"), None);
        for (path, ty, ..) in CATALOGUE {
            if let Some(CodeDomain::Enumeration(c)) = code_domain(path) {
                assert!(*ty == FactType::Text && !c.is_empty(), "{path}");
            }
        }
    }

    #[test]
    fn amounts_are_exact() {
        let a: Amount = serde_json::from_str("50000000.01").unwrap();
        assert_eq!(a.0.to_string(), "50000000.01");
        let a: Amount = serde_json::from_str("\"5%\"").unwrap();
        assert_eq!(a.0, Decimal::new(5, 2));
        assert!(serde_json::from_str::<Amount>("\"five\"").is_err());
    }
}
