//! 基地名录表 — the one definition of the register's spreadsheet columns. The register export
//! writes them, the import template offers them and the import reads them, so a register
//! exported as xlsx imports into an empty database and gives the same register.
//!
//! The export writes Chinese labels (类型“国际联合研究中心”, 国别“德国”, 地区“湖南省长沙市”,
//! 管理办法 by its 文号); the import takes either the label or the code (`joint_research`, `DE`,
//! `430100`, `hunan-2026`).
//!
//! The import reads more columns than the register has: the accounts of the support unit and of
//! the base's director ([`Column::ACCOUNTS`]), which the template offers and the export leaves
//! out (accounts are not part of the register).

use chrono::NaiveDate;
use guohe_domain::{Base, BaseStatus, Origin};
use guohe_policy::{Policy, PolicySet};
use guohe_reference::RegionKind;

use crate::export::Cell;

/// A column of the register sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// 基地编号.
    BaseId,
    /// 基地名称.
    OfficialName,
    /// 依托单位.
    UnitName,
    /// 统一社会信用代码.
    Uscc,
    /// 管理办法 — the policy, by 文号 (or id, or province).
    Policy,
    /// 基地类型.
    Category,
    /// 技术领域.
    Domain,
    /// 合作国别.
    Country,
    /// 地区 — the prefecture of the support unit.
    Region,
    /// 基地负责人.
    Director,
    /// 认定日期.
    RecognisedOn,
    /// 国家基地 — joined without re-recognition (Hubei 第三十条).
    National,
    /// 状态.
    Status,
    /// 状态日期 — the day the status took effect (empty for 正常运行).
    StatusSince,
    /// 状态依据 — the policy's consequence rule that gave the status.
    StatusGrounds,
    /// 依托单位账号 — the support unit's login.
    UnitLogin,
    /// 依托单位手机.
    UnitPhone,
    /// 依托单位邮箱.
    UnitEmail,
    /// 负责人账号 — the base director's login.
    DirectorLogin,
    /// 负责人手机.
    DirectorPhone,
    /// 负责人邮箱.
    DirectorEmail,
}

impl Column {
    /// The register's columns, in sheet order: what the export writes.
    pub const REGISTER: [Column; 15] = [
        Column::BaseId,
        Column::OfficialName,
        Column::UnitName,
        Column::Uscc,
        Column::Policy,
        Column::Category,
        Column::Domain,
        Column::Country,
        Column::Region,
        Column::Director,
        Column::RecognisedOn,
        Column::National,
        Column::Status,
        Column::StatusSince,
        Column::StatusGrounds,
    ];

    /// The account columns (optional; the template offers them after the register's).
    pub const ACCOUNTS: [Column; 6] = [
        Column::UnitLogin,
        Column::UnitPhone,
        Column::UnitEmail,
        Column::DirectorLogin,
        Column::DirectorPhone,
        Column::DirectorEmail,
    ];

    /// Every column the import reads, in the template's order.
    pub const ALL: [Column; 21] = {
        let mut all = [Column::BaseId; 21];
        let mut i = 0;
        while i < 15 {
            all[i] = Column::REGISTER[i];
            i += 1;
        }
        while i < 21 {
            all[i] = Column::ACCOUNTS[i - 15];
            i += 1;
        }
        all
    };

    /// The heading.
    pub fn heading(self) -> &'static str {
        match self {
            Column::BaseId => "基地编号",
            Column::OfficialName => "基地名称",
            Column::UnitName => "依托单位",
            Column::Uscc => "统一社会信用代码",
            Column::Policy => "管理办法",
            Column::Category => "基地类型",
            Column::Domain => "技术领域",
            Column::Country => "合作国别",
            Column::Region => "地区",
            Column::Director => "基地负责人",
            Column::RecognisedOn => "认定日期",
            Column::National => "国家基地",
            Column::Status => "状态",
            Column::StatusSince => "状态日期",
            Column::StatusGrounds => "状态依据",
            Column::UnitLogin => "依托单位账号",
            Column::UnitPhone => "依托单位手机",
            Column::UnitEmail => "依托单位邮箱",
            Column::DirectorLogin => "负责人账号",
            Column::DirectorPhone => "负责人手机",
            Column::DirectorEmail => "负责人邮箱",
        }
    }

    /// Column width in characters.
    pub fn width(self) -> f64 {
        match self {
            Column::BaseId => 14.0,
            Column::OfficialName | Column::UnitName => 32.0,
            Column::Uscc => 22.0,
            Column::Policy => 20.0,
            Column::Category | Column::Domain => 18.0,
            Column::Region => 16.0,
            Column::RecognisedOn | Column::StatusSince => 12.0,
            Column::Country | Column::Director | Column::Status => 12.0,
            Column::National => 9.0,
            Column::StatusGrounds => 30.0,
            Column::UnitLogin | Column::DirectorLogin | Column::UnitPhone | Column::DirectorPhone => 14.0,
            Column::UnitEmail | Column::DirectorEmail => 22.0,
        }
    }

    /// Whether a row must fill it.
    pub fn required(self) -> bool {
        matches!(
            self,
            Column::BaseId
                | Column::OfficialName
                | Column::UnitName
                | Column::Uscc
                | Column::Policy
                | Column::Domain
                | Column::Director
                | Column::RecognisedOn
        )
    }

    /// The column a domain refusal's field points at (`uscc`, `old_category`, …).
    pub fn of_field(field: &str) -> Option<Column> {
        Some(match field {
            "base_id" => Column::BaseId,
            "official_name" => Column::OfficialName,
            "unit_name" => Column::UnitName,
            "uscc" => Column::Uscc,
            "policy" => Column::Policy,
            "category" | "old_category" => Column::Category,
            "domain" => Column::Domain,
            "partner_country" => Column::Country,
            "director" => Column::Director,
            "recognised_on" => Column::RecognisedOn,
            "national" => Column::National,
            _ => return None,
        })
    }
}

/// Headings and widths of some columns, for [`crate::export::Table`].
pub fn columns_of(cols: &[Column]) -> Vec<(String, f64)> {
    cols.iter().map(|c| (c.heading().to_string(), c.width())).collect()
}

/// The register's headings and widths.
pub fn table_columns() -> Vec<(String, f64)> {
    columns_of(&Column::REGISTER)
}

/// 是 / 否.
pub const YES: &str = "是";
/// 是 / 否.
pub const NO: &str = "否";

/// Base statuses with their Chinese labels, as the register shows them.
pub const STATUSES: &[(&str, &str)] = &[
    ("active", "正常运行"),
    ("rectification", "限期整改"),
    ("terminated", "终止并注销命名"),
    ("revoked", "撤销命名"),
    ("disqualified", "取消资格"),
    ("exited_national", "退出省级管理序列（国家基地）"),
];

/// A status's code (the register's).
pub use crate::stats::status_code;

/// A status's Chinese label.
pub fn status_label(s: BaseStatus) -> &'static str {
    status_label_of(status_code(s))
}

/// A status code's Chinese label (the code itself when unknown).
pub fn status_label_of(code: &'static str) -> &'static str {
    STATUSES.iter().find(|(c, _)| *c == code).map_or(code, |(_, zh)| zh)
}

/// A status code by code, label, or the domain's shorter label (退出省级管理序列); empty is
/// 正常运行.
pub fn resolve_status(text: &str) -> Result<&'static str, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok("active");
    }
    STATUSES
        .iter()
        .find(|(code, zh)| *code == t || *zh == t || zh.split('（').next() == Some(t))
        .map(|(code, _)| *code)
        .ok_or_else(|| {
            format!(
                "状态“{t}”不是登记簿的状态；可选：{}",
                STATUSES.iter().map(|(_, zh)| *zh).collect::<Vec<_>>().join("、")
            )
        })
}

/// How a consequence rule is named in the sheet: its Chinese title.
pub fn grounds_label(p: &Policy, consequence: &str) -> String {
    p.consequences
        .iter()
        .find(|c| c.id == consequence)
        .map_or_else(|| consequence.to_string(), |c| c.title_zh.clone())
}

/// How a policy is named in the sheet: its 文号.
pub fn policy_label(p: &Policy) -> String {
    p.document_number.clone()
}

/// A policy by id, 文号 or province name (the province must then have one policy only).
pub fn resolve_policy<'p>(policies: &'p PolicySet, text: &str) -> Result<&'p Policy, String> {
    let t = text.trim();
    if let Some(p) = policies.all().iter().find(|p| p.id == t || p.document_number == t) {
        return Ok(p);
    }
    let by_province: Vec<&Policy> = policies.all().iter().filter(|p| p.province.name == t).collect();
    match by_province.as_slice() {
        [p] => Ok(p),
        [] => Err(format!(
            "管理办法“{t}”未载入；请填写文号，可选：{}",
            policies
                .all()
                .iter()
                .map(|p| p.document_number.as_str())
                .collect::<Vec<_>>()
                .join("、")
        )),
        _ => Err(format!("{t}有多部管理办法，请填写文号")),
    }
}

/// A category's Chinese label (the code itself when the policy does not know it).
pub fn category_label(p: &Policy, code: &str) -> String {
    p.vocabularies
        .categories
        .iter()
        .find(|t| t.code == code)
        .map_or_else(|| code.to_string(), |t| t.zh.clone())
}

/// What the category cell names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryCell {
    /// A category of the policy (its code).
    New(String),
    /// A category of the old regime, mapped by the transitional article (Hunan 第二十二条).
    Old(String),
}

/// Reads a category cell: a code or label of the policy's categories, or an old category name
/// of its transitional mapping.
pub fn resolve_category(p: &Policy, text: &str) -> Result<CategoryCell, String> {
    let t = text.trim();
    if let Some(term) = p.vocabularies.categories.iter().find(|c| c.code == t || c.zh == t) {
        return Ok(CategoryCell::New(term.code.clone()));
    }
    if let Some(m) = &p.transitions.category_mapping
        && let Some(o) = m.map.iter().find(|o| o.old == t)
    {
        return Ok(CategoryCell::Old(o.old.clone()));
    }
    let mut choices: Vec<&str> = p.vocabularies.categories.iter().map(|c| c.zh.as_str()).collect();
    if let Some(m) = &p.transitions.category_mapping {
        choices.extend(m.map.iter().map(|o| o.old.as_str()));
    }
    if choices.is_empty() {
        Err(format!("《{}》不分基地类型，本列应留空", p.title))
    } else {
        Err(format!(
            "基地类型“{t}”不在《{}》的类型中；可选：{}",
            p.title,
            choices.join("、")
        ))
    }
}

/// A country's Chinese name (the code when unknown).
pub fn country_label(code: &str) -> String {
    guohe_reference::country::lookup(code).map_or_else(|| code.to_string(), |c| c.name_zh.to_string())
}

/// A country by ISO code or Chinese name.
pub fn resolve_country(text: &str) -> Result<String, String> {
    let t = text.trim();
    guohe_reference::country::lookup(&t.to_ascii_uppercase())
        .or_else(|| guohe_reference::country::lookup_by_name_zh(t))
        .map(|c| c.alpha2.to_string())
        .ok_or_else(|| format!("合作国别“{t}”不在国别代码表中；请填写中文国名或两位字母代码"))
}

/// The prefecture-level division of a six-digit division code (a province-level code stays).
pub fn prefecture_of(code: &str) -> Option<&'static guohe_reference::Region> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    guohe_reference::region::lookup(code).or_else(|| guohe_reference::region::lookup(&format!("{}00", &code[..4])))
}

/// A region's label: 湖南省长沙市 (or the province alone).
pub fn region_label(r: &guohe_reference::Region) -> String {
    if r.kind == RegionKind::Province {
        r.province.to_string()
    } else {
        format!("{}{}", r.province, r.name)
    }
}

/// A region by six-digit code or by label (湖南省长沙市).
pub fn resolve_region(text: &str) -> Result<&'static guohe_reference::Region, String> {
    let t = text.trim();
    let found = if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        guohe_reference::region::lookup(t)
    } else {
        guohe_reference::region::all().iter().find(|r| region_label(r) == t)
    };
    found.ok_or_else(|| format!("地区“{t}”不在行政区划代码表中；请填写六位代码或“省名+市名”"))
}

/// The prefecture of the unit, from its USCC's division code.
pub fn unit_region(uscc: &str) -> Option<&'static guohe_reference::Region> {
    guohe_reference::uscc::parse(uscc)
        .ok()
        .and_then(|u| prefecture_of(u.division_code()))
}

/// A valid USCC from its first sixteen characters: the organisation code's check character and
/// the GB 32100 check character completed (for examples and test files).
pub fn complete_uscc(stem: &str) -> Option<String> {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    CHARS.chars().find_map(|a| {
        CHARS.chars().find_map(|b| {
            let code = format!("{stem}{a}{b}");
            guohe_reference::uscc::is_valid(&code).then_some(code)
        })
    })
}

/// Whether a base joined as a national base.
pub fn is_national(b: &Base) -> bool {
    matches!(b.origin, Origin::CarriedOver { national: true, .. })
}

/// One base as a row of the sheet, with its status on `as_of`.
pub fn base_row(policies: &PolicySet, b: &Base, as_of: NaiveDate) -> Vec<Cell> {
    let policy = policies.get(&b.policy);
    let status = b.status_on(as_of).unwrap_or(b.status);
    // The entry that gave a status other than 正常运行: its date and rule are written, so that
    // an import takes the same step again.
    let entry = b.status_entry_on(as_of).filter(|e| e.status != BaseStatus::Active);
    let text = |s: &str| if s.is_empty() { Cell::Empty } else { Cell::text(s) };
    Column::REGISTER
        .iter()
        .map(|c| match c {
            Column::BaseId => text(&b.id),
            Column::OfficialName => text(&b.official_name),
            Column::UnitName => text(&b.unit_name),
            Column::Uscc => text(&b.uscc),
            Column::Policy => text(&policy.map_or_else(|| b.policy.clone(), policy_label)),
            Column::Category => match (&b.category, policy) {
                (Some(code), Some(p)) => text(&category_label(p, code)),
                (Some(code), None) => text(code),
                (None, _) => Cell::Empty,
            },
            Column::Domain => text(&b.domain),
            Column::Country => text(&b.partner_country.as_deref().map(country_label).unwrap_or_default()),
            Column::Region => text(&unit_region(&b.uscc).map(region_label).unwrap_or_default()),
            Column::Director => text(&b.director),
            Column::RecognisedOn => Cell::Date(b.recognised_on),
            Column::National => Cell::text(if is_national(b) { YES } else { NO }),
            Column::Status => Cell::text(status_label(status)),
            Column::StatusSince => entry.map_or(Cell::Empty, |e| Cell::Date(e.from)),
            Column::StatusGrounds => match (entry.and_then(|e| e.consequence.as_deref()), policy) {
                (Some(c), Some(p)) => text(&grounds_label(p, c)),
                (Some(c), None) => text(c),
                (None, _) => Cell::Empty,
            },
            // Accounts are not part of the register.
            _ => Cell::Empty,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hunan() -> PolicySet {
        PolicySet::default()
    }

    #[test]
    fn labels_and_codes_read_alike() {
        let set = hunan();
        let p = resolve_policy(&set, "湘科发〔2026〕27号").unwrap();
        assert_eq!(resolve_policy(&set, "hunan-2026").unwrap().id, p.id);
        assert_eq!(resolve_policy(&set, "湖南省").unwrap().id, p.id);
        let first = &p.vocabularies.categories[0];
        assert_eq!(
            resolve_category(p, &first.zh).unwrap(),
            CategoryCell::New(first.code.clone())
        );
        assert_eq!(
            resolve_category(p, &first.code).unwrap(),
            CategoryCell::New(first.code.clone())
        );
        // Hunan 第二十二条: the old category names are mapped.
        assert!(matches!(
            resolve_category(p, "国际技术转移中心"),
            Ok(CategoryCell::Old(_))
        ));
        assert!(resolve_category(p, "不存在").unwrap_err().contains("可选"));
        assert_eq!(resolve_country("德国").unwrap(), "DE");
        assert_eq!(resolve_country("de").unwrap(), "DE");
        assert_eq!(region_label(resolve_region("430100").unwrap()), "湖南省长沙市");
        assert_eq!(resolve_region("湖南省长沙市").unwrap().code, "430100");
        assert!(resolve_region("999999").is_err());
    }
}
