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

/// A dated record (不良信用记录, 科研失信记录).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatedRecord {
    /// The date the record was made.
    pub date: NaiveDate,
    /// What it says.
    #[serde(default)]
    pub description: String,
}

/// 项目级别 — level of a project.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProjectLevel {
    /// 国家级.
    National,
    /// 省部级 (a ministry's).
    Ministerial,
    /// 省级.
    Provincial,
    /// 市州级.
    Municipal,
    /// Other.
    Other,
}

/// 项目类型 — kind of an international project.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    /// 国际科技（创新）合作项目.
    Cooperation,
    /// 外国专家项目.
    ForeignExpert,
    /// 科技人员交流项目.
    Exchange,
    /// Other.
    Other,
}

/// 承担角色 — role in a project.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProjectRole {
    /// 牵头/负责.
    Lead,
    /// 参与.
    Participant,
}

/// An international project undertaken.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Project name.
    pub name: String,
    /// Its level.
    pub level: ProjectLevel,
    /// Its kind.
    pub kind: ProjectKind,
    /// The unit's (or the director's) role.
    pub role: ProjectRole,
    /// Start date.
    pub start_date: NaiveDate,
    /// End date; absent while running.
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
}

/// A named, dated item (a landmark result, an event, a paper).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatedItem {
    /// Name or title.
    pub name: String,
    /// Date.
    pub date: NaiveDate,
    /// Whether it is high-level/influential (高水平、有影响力), as the applicant declares.
    #[serde(default)]
    pub high_level: bool,
    /// Level, where relevant (events organised).
    #[serde(default)]
    pub level: Option<ProjectLevel>,
}

/// 国际技术转移项目 — a completed international technology-transfer project.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TechnologyTransfer {
    /// Name.
    pub name: String,
    /// 技术许可、转让、境外品种审定登记 …
    pub kind: TransferKind,
    /// Date completed.
    pub completed_on: NaiveDate,
    /// Partner country or region (ISO 3166 alpha-2).
    pub country: String,
}

/// Kind of technology transfer (Hunan 第七条第2项).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// 技术许可.
    Licence,
    /// 技术转让.
    Transfer,
    /// 境外品种审定登记.
    VarietyRegistration,
    /// Other.
    Other,
}

/// One fiscal year's figures.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FiscalYear {
    /// The year.
    pub year: i32,
    /// 销售收入 in yuan.
    pub sales_revenue: Amount,
    /// 研发费用 in yuan.
    pub rd_expense: Amount,
}

/// A foreign partner institution.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartnerInstitution {
    /// Name.
    pub name: String,
    /// Country or region (ISO 3166 alpha-2; HK, MO, TW allowed).
    pub country: String,
    /// Kind of institution.
    pub kind: PartnerKind,
    /// Cooperating since.
    #[serde(default)]
    pub since: Option<NaiveDate>,
    /// Whether a cooperation agreement is signed.
    #[serde(default)]
    pub agreement: bool,
    /// Whether the relationship is long-term and stable (长期稳定), as declared.
    #[serde(default)]
    pub long_term: bool,
    /// For technology service partners: nationwide (全国性) or regional (地区性).
    #[serde(default)]
    pub scope: Option<PartnerScope>,
}

/// Kind of partner institution.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    /// 高等学校.
    University,
    /// 科研院所.
    ResearchInstitute,
    /// 创新型企业.
    Enterprise,
    /// 技术转移机构.
    TechnologyTransfer,
    /// 创新服务机构.
    InnovationService,
    /// 国际组织.
    InternationalOrganisation,
    /// Other.
    Other,
}

/// Reach of a partner organisation.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PartnerScope {
    /// 全国性.
    National,
    /// 地区性.
    Regional,
    /// Local only.
    Local,
}

/// An enterprise in a park (Hubei 第十条第（一）项).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ParkEnterprise {
    /// Name.
    pub name: String,
    /// 高新技术企业或创新型企业.
    pub high_tech_or_innovative: bool,
    /// 有较好国际联合研发基础或开展国际产能合作.
    pub international_cooperation: bool,
    /// Industry domain.
    #[serde(default)]
    pub domain: Option<String>,
}

/// The management systems of Hunan 第五条第4项.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ManagementSystems {
    /// 知识产权归属.
    #[serde(default)]
    pub ip_ownership: bool,
    /// 权益分配.
    #[serde(default)]
    pub benefit_sharing: bool,
    /// 数据跨境.
    #[serde(default)]
    pub cross_border_data: bool,
    /// 人类遗传资源.
    #[serde(default)]
    pub human_genetic_resources: bool,
    /// 科技伦理.
    #[serde(default)]
    pub ethics: bool,
    /// 违约责任及争议处理方案.
    #[serde(default)]
    pub dispute_resolution: bool,
    /// 科技安全风险研判、预警监测和综合评估的安全管理责任机制.
    #[serde(default)]
    pub security_risk: bool,
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

impl Application {
    /// Reads an application from JSON; errors name the field path.
    pub fn parse(json: &str) -> Result<Application, FactError> {
        let de = &mut serde_json::Deserializer::from_str(json);
        let app: Application = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let path = if path == "." { String::new() } else { path };
            let en = inner.to_string();
            let zh = if inner.is_syntax() || inner.is_eof() {
                format!("JSON 格式错误（第{}行第{}列）", inner.line(), inner.column())
            } else if en.starts_with("missing field") {
                format!(
                    "缺少必填项：{}",
                    en.trim_start_matches("missing field ").split(' ').next().unwrap_or("")
                )
            } else if en.starts_with("unknown field") {
                "未知字段（请检查拼写）".to_string()
            } else if en.starts_with("unknown variant") {
                "取值不在允许范围内".to_string()
            } else {
                "类型或取值错误".to_string()
            };
            FactError::new(path, format!("{zh}：{en}"), en)
        })?;
        app.validate_shape()?;
        Ok(app)
    }

    /// Checks what does not depend on the policy: codes, dates, duplicates.
    pub fn validate_shape(&self) -> Result<(), FactError> {
        match guohe_reference::uscc::parse(&self.unit.uscc) {
            Err(e) => return Err(FactError::new("unit.uscc", e.message_zh(), e.to_string())),
            // GB 32100: registration authority 9 (工商) with category 2 is a 个体工商户, which is
            // not an independent legal person and so cannot be a support unit (Hunan 第五条,
            // Hubei 第八条 both require an independent legal person).
            Ok(code) if code.registration_authority() == '9' && code.organisation_category() == '2' => {
                return Err(FactError::new(
                    "unit.uscc",
                    format!(
                        "统一社会信用代码“{}”的登记管理部门码为9、机构类别码为2，属个体工商户；个体工商户不具有独立法人资格，不能作为依托单位",
                        code.as_str()
                    ),
                    format!(
                        "`{}` has registration authority 9 and category 2 (GB 32100): an individual business (个体工商户), which is not an independent legal person and cannot be a support unit",
                        code.as_str()
                    ),
                ));
            }
            Ok(_) => {}
        }
        // The primary partner may be written as CN: the eligibility rule that requires a
        // partner outside the mainland then fails with its article, instead of a bare input error.
        check_country_code("primary_partner.country", &self.primary_partner.country)?;
        if let Some(o) = &self.primary_partner.organisation {
            check_country(
                "primary_partner.organisation.headquarters_country",
                &o.headquarters_country,
            )?;
        }
        for (i, p) in self.partner_institutions.iter().enumerate() {
            check_country(&format!("partner_institutions[{i}].country"), &p.country)?;
        }
        for (i, p) in self.unit.partner_organisations.iter().enumerate() {
            check_country(&format!("unit.partner_organisations[{i}].country"), &p.country)?;
        }
        for (i, t) in self.unit.technology_transfers.iter().enumerate() {
            check_country(&format!("unit.technology_transfers[{i}].country"), &t.country)?;
        }
        if guohe_reference::region::province_code(&self.unit.region_code).is_err() {
            return Err(FactError::new(
                "unit.region_code",
                format!("行政区划代码“{}”应为6位数字（GB/T 2260）", self.unit.region_code),
                format!("`{}` is not a six-digit GB/T 2260 region code", self.unit.region_code),
            ));
        }
        for (path, text) in [
            ("technology_domain", &self.technology_domain),
            ("unit.name", &self.unit.name),
            ("director.name", &self.director.name),
        ] {
            if text.trim().is_empty() {
                return Err(FactError::new(path, "不能为空", "must not be empty"));
            }
            if text.chars().count() > 200 {
                return Err(FactError::new(
                    path,
                    "过长（最多200字）",
                    "too long (200 characters at most)",
                ));
            }
        }
        let mut years: Vec<i32> = self.unit.finance.iter().map(|f| f.year).collect();
        years.sort_unstable();
        if let Some(w) = years.windows(2).find(|w| w[0] == w[1]) {
            return Err(FactError::new(
                "unit.finance",
                format!("{}年度的财务数据重复", w[0]),
                format!("fiscal year {} is given twice", w[0]),
            ));
        }
        for (i, f) in self.unit.finance.iter().enumerate() {
            if f.sales_revenue.0.is_sign_negative() || f.rd_expense.0.is_sign_negative() {
                return Err(FactError::new(
                    format!("unit.finance[{i}]"),
                    "金额不能为负数",
                    "amounts must not be negative",
                ));
            }
        }
        for (list, projects) in [
            ("unit.international_projects", &self.unit.international_projects),
            ("director.projects_led", &self.director.projects_led),
        ] {
            for (i, p) in projects.iter().enumerate() {
                if p.end_date.is_some_and(|e| e < p.start_date) {
                    return Err(FactError::new(
                        format!("{list}[{i}].end_date"),
                        format!("项目“{}”的结束日期早于开始日期", p.name),
                        format!("project `{}` ends before it starts", p.name),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Checks what depends on the policy: the category and unit kind must be its codes, and the
    /// policy id must match.
    pub fn validate(&self, policy: &Policy) -> Result<(), FactError> {
        if self.policy != policy.id {
            return Err(FactError::new(
                "policy",
                format!("申报所依据的办法为“{}”，与所选办法“{}”不一致", self.policy, policy.id),
                format!("the application is for policy `{}`, not `{}`", self.policy, policy.id),
            ));
        }
        let cats = &policy.vocabularies.categories;
        match (&self.category, cats.is_empty()) {
            (None, false) => {
                return Err(FactError::new(
                    "category",
                    format!("缺少基地类型；可选：{}", codes_zh(cats)),
                    format!("missing; one of {}", codes(cats)),
                ));
            }
            (Some(c), false) if term(cats, c).is_none() => {
                return Err(FactError::new(
                    "category",
                    format!("基地类型“{c}”无效；可选：{}", codes_zh(cats)),
                    format!("unknown category `{c}`; one of {}", codes(cats)),
                ));
            }
            (Some(c), true) => {
                return Err(FactError::new(
                    "category",
                    format!("《{}》不分基地类型，不应填写“{c}”", policy.title),
                    format!("policy `{}` has no categories", policy.id),
                ));
            }
            _ => {}
        }
        let kinds = &policy.vocabularies.unit_kinds;
        if term(kinds, &self.unit.kind).is_none() {
            return Err(FactError::new(
                "unit.kind",
                format!("依托单位类型“{}”无效；可选：{}", self.unit.kind, codes_zh(kinds)),
                format!("unknown unit kind `{}`; one of {}", self.unit.kind, codes(kinds)),
            ));
        }
        Ok(())
    }

    /// The fact tree the interpreter reads.
    pub fn to_facts(&self) -> FactTree {
        let value = serde_json::to_value(self).expect("an Application always serialises");
        FactTree(Fact::from_json(&value, ""))
    }
}

fn codes(terms: &[crate::model::Term]) -> String {
    terms.iter().map(|t| t.code.as_str()).collect::<Vec<_>>().join(", ")
}

fn codes_zh(terms: &[crate::model::Term]) -> String {
    terms
        .iter()
        .map(|t| format!("{}（{}）", t.code, t.zh))
        .collect::<Vec<_>>()
        .join("、")
}

/// Checks that a code is an ISO 3166-1 alpha-2 country or region (CN included).
fn check_country_code(path: &str, code: &str) -> Result<(), FactError> {
    match guohe_reference::country::lookup(code) {
        None => Err(FactError::new(
            path,
            format!("“{code}”不是有效的国家（地区）代码（ISO 3166-1 二位字母代码）"),
            format!("`{code}` is not an ISO 3166-1 alpha-2 country or region code"),
        )),
        Some(_) => Ok(()),
    }
}

/// Checks a foreign partner's country: a valid code outside the Chinese mainland.
fn check_country(path: &str, code: &str) -> Result<(), FactError> {
    check_country_code(path, code)?;
    match guohe_reference::country::lookup(code) {
        Some(c) if c.alpha2 == "CN" => Err(FactError::new(
            path,
            "合作国家（地区）应为国（境）外，不能为中国内地；港澳台地区请填写 HK、MO、TW",
            "the partner must be outside the Chinese mainland (use HK, MO or TW for Hong Kong, Macao, Taiwan)",
        )),
        _ => Ok(()),
    }
}

/// Chinese labels of the codes the facts' enumerations use (levels, kinds, roles, titles …).
pub fn code_label(code: &str) -> Option<&'static str> {
    Some(match code {
        "national" => "国家级（全国性）",
        "ministerial" => "省部级",
        "provincial" => "省级",
        "municipal" => "市州级",
        "regional" => "地区性",
        "local" => "地方",
        "cooperation" => "国际科技合作项目",
        "foreign_expert" => "外国专家项目",
        "exchange" => "科技人员交流项目",
        "lead" => "牵头/负责",
        "participant" => "参与",
        "senior" => "正高级",
        "deputy_senior" => "副高级",
        "intermediate" => "中级",
        "university" => "高等学校",
        "research_institute" => "科研院所",
        "enterprise" => "企业",
        "technology_transfer" => "技术转移机构",
        "innovation_service" => "创新服务机构",
        "international_organisation" => "国际组织",
        "licence" => "技术许可",
        "transfer" => "技术转让",
        "variety_registration" => "境外品种审定登记",
        "central" => "央属",
        "headquarters" => "国际组织总部所在地",
        "project_location" => "主要合作项目所在地",
        "other" => "其他",
        _ => return None,
    })
}

/// The codes a text fact may take, so that a policy naming a code can be checked at load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeDomain {
    /// A vocabulary of the policy, by its name under `vocabularies` (`categories`, `unit_kinds`).
    Vocabulary(&'static str),
    /// An ISO 3166-1 alpha-2 country or region code.
    Country,
    /// A closed enumeration of the application facts.
    Enumeration(&'static [String]),
}

fn enum_codes<T: JsonSchema>() -> Vec<String> {
    let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default();
    let mut out = Vec::new();
    if let Some(values) = schema.get("enum").and_then(|e| e.as_array()) {
        out.extend(values.iter().filter_map(|v| v.as_str().map(str::to_string)));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = schema.get(key).and_then(|e| e.as_array()) {
            for a in alts {
                if let Some(c) = a.get("const").and_then(|c| c.as_str()) {
                    out.push(c.to_string());
                }
                if let Some(values) = a.get("enum").and_then(|e| e.as_array()) {
                    out.extend(values.iter().filter_map(|v| v.as_str().map(str::to_string)));
                }
            }
        }
    }
    out
}

macro_rules! codes_of {
    ($name:ident, $t:ty) => {
        static $name: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(enum_codes::<$t>);
    };
}
codes_of!(LEVELS, ProjectLevel);
codes_of!(PROJECT_KINDS, ProjectKind);
codes_of!(ROLES, ProjectRole);
codes_of!(TRANSFER_KINDS, TransferKind);
codes_of!(PARTNER_KINDS, PartnerKind);
codes_of!(SCOPES, PartnerScope);
codes_of!(TITLES, Title);
codes_of!(AFFILIATIONS, Affiliation);
codes_of!(COUNTRY_BASES, CountryBasis);

/// The codes a text fact takes, or `None` for free text (names, descriptions, domains).
/// The enumerations are read from the facts' own types, so they cannot drift.
pub fn code_domain(path: &str) -> Option<CodeDomain> {
    let field = path.rsplit('.').next().unwrap_or(path);
    let list = path.rsplit_once("[].").map(|(l, _)| l);
    Some(match (path, field) {
        ("category", _) => CodeDomain::Vocabulary("categories"),
        ("unit.kind", _) => CodeDomain::Vocabulary("unit_kinds"),
        ("unit.affiliation", _) => CodeDomain::Enumeration(&AFFILIATIONS),
        ("director.title", _) => CodeDomain::Enumeration(&TITLES),
        ("primary_partner.organisation.country_basis", _) => CodeDomain::Enumeration(&COUNTRY_BASES),
        (_, "country" | "headquarters_country") => CodeDomain::Country,
        (_, "level") => CodeDomain::Enumeration(&LEVELS),
        (_, "role") => CodeDomain::Enumeration(&ROLES),
        (_, "scope") => CodeDomain::Enumeration(&SCOPES),
        (_, "kind") => match list {
            Some("unit.international_projects" | "director.projects_led") => CodeDomain::Enumeration(&PROJECT_KINDS),
            Some("unit.technology_transfers") => CodeDomain::Enumeration(&TRANSFER_KINDS),
            Some("partner_institutions" | "unit.partner_organisations") => CodeDomain::Enumeration(&PARTNER_KINDS),
            _ => return None,
        },
        _ => return None,
    })
}

/// Type of a fact, as the catalogue declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactType {
    /// true/false.
    Bool,
    /// Exact decimal.
    Num,
    /// Text (codes, names).
    Text,
    /// A calendar date.
    Date,
    /// A list of records.
    List,
    /// A record.
    Record,
}

/// Every fact path a condition may read, with its type and labels. List item fields are written
/// `list[].field`. A test keeps this in step with the [`Application`] type.
pub const CATALOGUE: &[(&str, FactType, &str, &str)] = {
    use FactType::*;
    &[
        ("policy", Text, "申报依据的办法", "policy"),
        ("application_date", Date, "申报日期", "application date"),
        ("category", Text, "基地类型", "category"),
        ("technology_domain", Text, "技术领域", "technology domain"),
        ("primary_partner", Record, "主要合作国家（地区）", "primary partner"),
        (
            "primary_partner.country",
            Text,
            "主要合作国家（地区）",
            "primary partner country",
        ),
        (
            "primary_partner.organisation",
            Record,
            "主要境外合作国际组织",
            "international organisation",
        ),
        (
            "primary_partner.organisation.name",
            Text,
            "国际组织名称",
            "organisation name",
        ),
        (
            "primary_partner.organisation.headquarters_country",
            Text,
            "国际组织总部所在国家（地区）",
            "headquarters country",
        ),
        (
            "primary_partner.organisation.country_basis",
            Text,
            "主要合作国家（地区）的选择依据",
            "basis of the primary country",
        ),
        (
            "partner_institutions",
            List,
            "国（境）外合作机构",
            "partner institutions",
        ),
        ("partner_institutions[].name", Text, "名称", "name"),
        ("partner_institutions[].country", Text, "国家（地区）", "country"),
        ("partner_institutions[].kind", Text, "机构类型", "kind"),
        (
            "partner_institutions[].since",
            Date,
            "合作起始日期",
            "cooperating since",
        ),
        (
            "partner_institutions[].agreement",
            Bool,
            "已签订合作协议",
            "agreement signed",
        ),
        ("partner_institutions[].long_term", Bool, "长期稳定合作", "long-term"),
        ("partner_institutions[].scope", Text, "机构范围", "scope"),
        ("unit", Record, "依托单位", "support unit"),
        ("unit.name", Text, "依托单位名称", "unit name"),
        ("unit.uscc", Text, "统一社会信用代码", "unified social credit code"),
        ("unit.kind", Text, "依托单位类型", "unit kind"),
        ("unit.affiliation", Text, "隶属关系", "affiliation"),
        ("unit.region_code", Text, "所在地区", "region"),
        (
            "unit.registered_in_province",
            Bool,
            "在省内依法登记注册",
            "registered in the province",
        ),
        (
            "unit.independent_legal_person",
            Bool,
            "具有独立法人资质",
            "independent legal person",
        ),
        ("unit.in_existence", Bool, "在有效存续期内", "in existence"),
        (
            "unit.bad_credit_records",
            List,
            "依托单位不良信用记录",
            "unit's bad-credit records",
        ),
        ("unit.bad_credit_records[].date", Date, "记录日期", "date"),
        ("unit.bad_credit_records[].description", Text, "记录内容", "description"),
        (
            "unit.integrity_records",
            List,
            "依托单位不良科研诚信记录",
            "unit's research-integrity records",
        ),
        ("unit.integrity_records[].date", Date, "记录日期", "date"),
        ("unit.integrity_records[].description", Text, "记录内容", "description"),
        ("unit.finance", List, "财务数据", "finance"),
        ("unit.finance[].year", Num, "年度", "year"),
        (
            "unit.finance[].sales_revenue",
            Num,
            "销售收入（元）",
            "sales revenue (yuan)",
        ),
        ("unit.finance[].rd_expense", Num, "研发费用（元）", "R&D expense (yuan)"),
        (
            "unit.international_rd_centre",
            Bool,
            "建有国际研发中心",
            "international R&D centre",
        ),
        (
            "unit.international_rd_team",
            Bool,
            "拥有国际化研发团队",
            "international R&D team",
        ),
        (
            "unit.overseas_market_share",
            Num,
            "目标境外市场占有份额",
            "overseas market share",
        ),
        (
            "unit.overseas_orders_equivalent",
            Bool,
            "拿到相当份额的订单",
            "equivalent overseas orders",
        ),
        ("unit.park_enterprises", List, "园区入驻企业", "park enterprises"),
        ("unit.park_enterprises[].name", Text, "企业名称", "name"),
        (
            "unit.park_enterprises[].high_tech_or_innovative",
            Bool,
            "高新技术企业或创新型企业",
            "high-tech or innovative",
        ),
        (
            "unit.park_enterprises[].international_cooperation",
            Bool,
            "有国际联合研发基础或开展国际产能合作",
            "international cooperation",
        ),
        ("unit.park_enterprises[].domain", Text, "产业领域", "industry domain"),
        (
            "unit.park_industry_domains",
            List,
            "园区聚焦的产业领域",
            "park industry domains",
        ),
        ("unit.park_industry_domains[]", Text, "产业领域", "industry domain"),
        (
            "unit.partner_organisations",
            List,
            "合作的境外技术转移、创新服务机构",
            "partner organisations",
        ),
        ("unit.partner_organisations[].name", Text, "名称", "name"),
        ("unit.partner_organisations[].country", Text, "国家（地区）", "country"),
        ("unit.partner_organisations[].kind", Text, "机构类型", "kind"),
        (
            "unit.partner_organisations[].since",
            Date,
            "合作起始日期",
            "cooperating since",
        ),
        (
            "unit.partner_organisations[].agreement",
            Bool,
            "已签订合作协议",
            "agreement signed",
        ),
        (
            "unit.partner_organisations[].long_term",
            Bool,
            "长期稳定合作",
            "long-term",
        ),
        (
            "unit.partner_organisations[].scope",
            Text,
            "机构范围（全国性/地区性）",
            "scope",
        ),
        (
            "unit.international_events",
            List,
            "组织或举办的国际科技交流活动",
            "international events",
        ),
        ("unit.international_events[].name", Text, "名称", "name"),
        ("unit.international_events[].date", Date, "日期", "date"),
        (
            "unit.international_events[].high_level",
            Bool,
            "有影响力",
            "influential",
        ),
        ("unit.international_events[].level", Text, "级别", "level"),
        (
            "unit.joint_lab_or_mechanism",
            Bool,
            "建有联合实验室等科研平台或稳定的联合研究机制",
            "joint lab or mechanism",
        ),
        ("unit.joint_papers", List, "中外联合发表论文", "joint papers"),
        ("unit.joint_papers[].name", Text, "题目", "title"),
        ("unit.joint_papers[].date", Date, "发表日期", "date"),
        ("unit.joint_papers[].high_level", Bool, "高水平", "high-level"),
        ("unit.joint_papers[].level", Text, "级别", "level"),
        (
            "unit.joint_academic_events",
            List,
            "中外联合承办学术交流活动",
            "joint academic events",
        ),
        ("unit.joint_academic_events[].name", Text, "名称", "name"),
        ("unit.joint_academic_events[].date", Date, "日期", "date"),
        ("unit.joint_academic_events[].high_level", Bool, "高层次", "high-level"),
        ("unit.joint_academic_events[].level", Text, "级别", "level"),
        (
            "unit.international_projects",
            List,
            "承担的国际科技合作项目",
            "international projects",
        ),
        ("unit.international_projects[].name", Text, "项目名称", "name"),
        ("unit.international_projects[].level", Text, "项目级别", "level"),
        ("unit.international_projects[].kind", Text, "项目类型", "kind"),
        ("unit.international_projects[].role", Text, "承担角色", "role"),
        (
            "unit.international_projects[].start_date",
            Date,
            "开始日期",
            "start date",
        ),
        ("unit.international_projects[].end_date", Date, "结束日期", "end date"),
        (
            "unit.landmark_results",
            List,
            "标志性跨境合作技术成果",
            "landmark cross-border results",
        ),
        ("unit.landmark_results[].name", Text, "名称", "name"),
        ("unit.landmark_results[].date", Date, "日期", "date"),
        ("unit.landmark_results[].high_level", Bool, "高水平", "high-level"),
        ("unit.landmark_results[].level", Text, "级别", "level"),
        (
            "unit.technology_transfers",
            List,
            "已成功实施的国际技术转移项目",
            "completed international technology transfers",
        ),
        ("unit.technology_transfers[].name", Text, "项目名称", "name"),
        ("unit.technology_transfers[].kind", Text, "类型", "kind"),
        (
            "unit.technology_transfers[].completed_on",
            Date,
            "完成日期",
            "completed on",
        ),
        ("unit.technology_transfers[].country", Text, "国家（地区）", "country"),
        (
            "unit.major_events_organised",
            List,
            "组织举办的重大国际活动",
            "major international events organised",
        ),
        ("unit.major_events_organised[].name", Text, "名称", "name"),
        ("unit.major_events_organised[].date", Date, "日期", "date"),
        ("unit.major_events_organised[].high_level", Bool, "重大", "major"),
        ("unit.major_events_organised[].level", Text, "级别", "level"),
        ("unit.management_systems", Record, "管理制度", "management systems"),
        (
            "unit.management_systems.ip_ownership",
            Bool,
            "知识产权归属制度",
            "IP ownership",
        ),
        (
            "unit.management_systems.benefit_sharing",
            Bool,
            "权益分配制度",
            "benefit sharing",
        ),
        (
            "unit.management_systems.cross_border_data",
            Bool,
            "数据跨境管理制度",
            "cross-border data",
        ),
        (
            "unit.management_systems.human_genetic_resources",
            Bool,
            "人类遗传资源管理制度",
            "human genetic resources",
        ),
        (
            "unit.management_systems.ethics",
            Bool,
            "科技伦理管理制度",
            "research ethics",
        ),
        (
            "unit.management_systems.dispute_resolution",
            Bool,
            "违约责任及争议处理方案",
            "breach and dispute handling",
        ),
        (
            "unit.management_systems.security_risk",
            Bool,
            "科技安全风险管理责任机制",
            "security risk mechanism",
        ),
        (
            "unit.overseas_demonstration_base",
            Bool,
            "建立海外示范基地",
            "overseas demonstration base",
        ),
        ("director", Record, "基地负责人", "director"),
        ("director.name", Text, "负责人姓名", "director's name"),
        (
            "director.formal_employee",
            Bool,
            "负责人为依托单位正式员工",
            "director is a formal employee",
        ),
        ("director.title", Text, "负责人职称", "director's title"),
        (
            "director.equivalent_ability",
            Bool,
            "负责人具有同等研究能力",
            "director has equivalent ability",
        ),
        (
            "director.research_lead",
            Bool,
            "负责人为科研工作负责人或主要科研团队牵头人",
            "director leads the research",
        ),
        (
            "director.bad_credit_records",
            List,
            "负责人不良信用记录",
            "director's bad-credit records",
        ),
        ("director.bad_credit_records[].date", Date, "记录日期", "date"),
        (
            "director.bad_credit_records[].description",
            Text,
            "记录内容",
            "description",
        ),
        (
            "director.integrity_records",
            List,
            "负责人不良科研诚信记录",
            "director's research-integrity records",
        ),
        ("director.integrity_records[].date", Date, "记录日期", "date"),
        (
            "director.integrity_records[].description",
            Text,
            "记录内容",
            "description",
        ),
        (
            "director.projects_led",
            List,
            "负责人主持的国际科技合作项目",
            "projects led by the director",
        ),
        ("director.projects_led[].name", Text, "项目名称", "name"),
        ("director.projects_led[].level", Text, "项目级别", "level"),
        ("director.projects_led[].kind", Text, "项目类型", "kind"),
        ("director.projects_led[].role", Text, "承担角色", "role"),
        ("director.projects_led[].start_date", Date, "开始日期", "start date"),
        ("director.projects_led[].end_date", Date, "结束日期", "end date"),
        ("attachments", List, "附件", "attachments"),
        ("attachments[].kind", Text, "附件类型", "kind"),
        ("attachments[].file", Text, "文件名", "file"),
        ("registry", Record, "登记簿信息", "register facts"),
        (
            "registry.unit_holds_base_in_domain",
            Bool,
            "依托单位在同一技术领域已有有效命名的基地",
            "unit already holds a base in this domain",
        ),
        (
            "registry.director_heads_base",
            Bool,
            "负责人已担任有效命名基地的负责人",
            "director already heads a base",
        ),
        (
            "registry.unit_banned_until",
            Date,
            "依托单位不得申请的截止日期",
            "unit barred until",
        ),
    ]
};

/// Looks a path up in the catalogue.
pub fn catalogue_entry(path: &str) -> Option<&'static (&'static str, FactType, &'static str, &'static str)> {
    CATALOGUE.iter().find(|e| e.0 == path)
}

/// An interned field name: records are keyed by these so that a lookup compares integers.
pub type Sym = u16;

static SYMBOLS: std::sync::LazyLock<std::collections::HashMap<&'static str, Sym>> = std::sync::LazyLock::new(|| {
    let mut names: Vec<&'static str> = CATALOGUE
        .iter()
        .flat_map(|e| e.0.split('.'))
        .map(|s| s.trim_end_matches("[]"))
        .filter(|s| !s.is_empty())
        .collect();
    names.sort_unstable();
    names.dedup();
    names.into_iter().enumerate().map(|(i, n)| (n, i as Sym)).collect()
});

/// The symbol of a field name, if the catalogue knows it.
pub fn sym(name: &str) -> Option<Sym> {
    SYMBOLS.get(name).copied()
}

/// A fact path resolved to symbols once, when a policy is loaded.
#[derive(Clone, PartialEq, Eq)]
pub struct Path {
    text: String,
    syms: Box<[Sym]>,
}

impl Path {
    /// Resolves a dotted path; unknown segments resolve to nothing and are reported by the
    /// policy's type checker.
    pub fn new(text: &str) -> Path {
        let syms = text.split('.').map(|s| sym(s).unwrap_or(Sym::MAX)).collect();
        Path {
            text: text.to_string(),
            syms,
        }
    }
    /// The dotted text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// The symbols.
    pub fn syms(&self) -> &[Sym] {
        &self.syms
    }
}

impl std::ops::Deref for Path {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Debug for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.text)
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A fact value: exact decimals, dates, lists and records.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// Not given.
    Null,
    /// true/false.
    Bool(bool),
    /// Exact decimal.
    Num(Decimal),
    /// Text.
    Text(Box<str>),
    /// A date.
    Date(NaiveDate),
    /// A list.
    List(Vec<Fact>),
    /// A record, fields sorted by symbol.
    Record(Vec<(Sym, Fact)>),
}

impl Fact {
    fn from_json(v: &serde_json::Value, path: &str) -> Fact {
        use serde_json::Value as J;
        match v {
            J::Null => Fact::Null,
            J::Bool(b) => Fact::Bool(*b),
            J::Number(n) => {
                let s = n.to_string();
                Decimal::from_str(&s)
                    .or_else(|_| Decimal::from_scientific(&s))
                    .map(Fact::Num)
                    .unwrap_or(Fact::Null)
            }
            J::String(s) => {
                let is_date = catalogue_entry(path).is_some_and(|e| e.1 == FactType::Date);
                match (is_date, NaiveDate::parse_from_str(s, "%Y-%m-%d")) {
                    (true, Ok(d)) => Fact::Date(d),
                    _ => Fact::Text(s.as_str().into()),
                }
            }
            J::Array(items) => {
                let item_path = format!("{path}[]");
                Fact::List(items.iter().map(|i| Fact::from_json(i, &item_path)).collect())
            }
            J::Object(map) => {
                let mut fields: Vec<(Sym, Fact)> = map
                    .iter()
                    .filter_map(|(k, v)| {
                        let p = if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        };
                        Some((sym(k)?, Fact::from_json(v, &p)))
                    })
                    .collect();
                fields.sort_by_key(|f| f.0);
                Fact::Record(fields)
            }
        }
    }

    /// A field of a record, by name.
    pub fn field(&self, name: &str) -> Option<&Fact> {
        self.field_sym(sym(name)?)
    }

    /// A field of a record, by symbol.
    #[inline]
    pub fn field_sym(&self, s: Sym) -> Option<&Fact> {
        match self {
            Fact::Record(fields) => fields.binary_search_by(|(k, _)| k.cmp(&s)).ok().map(|i| &fields[i].1),
            _ => None,
        }
    }
}

/// The whole application as a fact tree.
#[derive(Debug, Clone, PartialEq)]
pub struct FactTree(pub Fact);

impl FactTree {
    /// Follows a resolved path.
    #[inline]
    pub fn get(&self, path: &Path) -> Option<&Fact> {
        let mut cur = &self.0;
        for s in path.syms() {
            cur = cur.field_sym(*s)?;
        }
        Some(cur)
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
