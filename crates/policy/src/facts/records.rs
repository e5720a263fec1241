//! The records an application lists: projects, technology transfers, fiscal years, partner
//! institutions and organisations' reach, park enterprises, dated records and the management
//! systems a unit declares.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Amount;

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
