//! The catalogue of facts a policy may name: each path with its type and labels, the codes a
//! text fact may take, and the symbols paths resolve to.

use super::*;

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
