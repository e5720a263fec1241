//! The 31 provincial-level divisions (省级行政区) of a national run: their GB/T 2260 codes, names,
//! prefecture-level division codes and the policy each one runs under.
//!
//! Interpretation (synthetic divisions): the reference data (`crates/reference/data`) covers
//! 湖南 and 湖北 only. For the other 29 provinces the generator makes division codes of the
//! GB/T 2260 shape — province code + `01`..`N` + `00`, N being roughly the province's number of
//! prefecture-level divisions (1 for a municipality's 市辖区) — which are realistic in form but
//! not the real list. Every generated USCC carries one of its province's division codes.
//!
//! Interpretation (policy copies): only 湖北 (`hubei-2022`) and 湖南 (`hunan-2026`) ship a
//! regulation. Each other province runs under a copy of one of them (alternately, in code order),
//! with its own id (`p11-2023` for 北京 in force from 2023), province, names and document number,
//! and in force from three years before the generated period starts, for the whole period: the
//! copies stand for regulations that would exist, so that a run of any length has rounds in every
//! year and evaluations falling due within it. The articles' text is the template's, with the
//! province's name.

use chrono::{Datelike, NaiveDate};
use guohe_policy::{Policy, load};
use guohe_reference::region::{self, RegionKind};

/// Which shipped regulation a province's policy is (a copy of).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// 湖北省国际科技合作基地管理办法 (annual assessments, termination; no categories).
    Hubei,
    /// 湖南省科学技术厅国际科技合作基地管理办法 (categories, rectification, disqualification).
    Hunan,
}

impl Template {
    /// The shipped policy's id.
    pub fn builtin_id(self) -> &'static str {
        match self {
            Template::Hubei => "hubei-2022",
            Template::Hunan => "hunan-2026",
        }
    }
    fn yaml(self) -> &'static str {
        let file = match self {
            Template::Hubei => "policies/hubei-2022.yaml",
            Template::Hunan => "policies/hunan-2026.yaml",
        };
        guohe_policy::BUILTIN_SOURCES
            .iter()
            .find(|(name, _)| *name == file)
            .map(|(_, text)| *text)
            .unwrap_or_default()
    }
}

/// One provincial-level division.
#[derive(Debug, Clone, Copy)]
pub struct Province {
    /// GB/T 2260 province code, e.g. `11`.
    pub code: &'static str,
    /// Full name, e.g. 北京市.
    pub name: &'static str,
    /// Short name, e.g. 北京.
    pub short: &'static str,
    /// One-character abbreviation (简称), e.g. 京.
    pub abbr: &'static str,
    /// Two-letter GB/T 2260 alphabetic code, used in case ids, e.g. `BJ`.
    pub alpha: &'static str,
    /// Number of synthetic prefecture-level divisions (ignored where reference data exists).
    prefectures: u8,
}

const fn p(
    code: &'static str,
    name: &'static str,
    short: &'static str,
    abbr: &'static str,
    alpha: &'static str,
    prefectures: u8,
) -> Province {
    Province {
        code,
        name,
        short,
        abbr,
        alpha,
        prefectures,
    }
}

/// The 31 provinces, autonomous regions and municipalities, in code order.
pub const PROVINCES: &[Province] = &[
    p("11", "北京市", "北京", "京", "BJ", 1),
    p("12", "天津市", "天津", "津", "TJ", 1),
    p("13", "河北省", "河北", "冀", "HE", 11),
    p("14", "山西省", "山西", "晋", "SX", 11),
    p("15", "内蒙古自治区", "内蒙古", "蒙", "NM", 12),
    p("21", "辽宁省", "辽宁", "辽", "LN", 14),
    p("22", "吉林省", "吉林", "吉", "JL", 9),
    p("23", "黑龙江省", "黑龙江", "黑", "HL", 13),
    p("31", "上海市", "上海", "沪", "SH", 1),
    p("32", "江苏省", "江苏", "苏", "JS", 13),
    p("33", "浙江省", "浙江", "浙", "ZJ", 11),
    p("34", "安徽省", "安徽", "皖", "AH", 16),
    p("35", "福建省", "福建", "闽", "FJ", 9),
    p("36", "江西省", "江西", "赣", "JX", 11),
    p("37", "山东省", "山东", "鲁", "SD", 16),
    p("41", "河南省", "河南", "豫", "HA", 17),
    p("42", "湖北省", "湖北", "鄂", "HB", 0),
    p("43", "湖南省", "湖南", "湘", "HN", 0),
    p("44", "广东省", "广东", "粤", "GD", 21),
    p("45", "广西壮族自治区", "广西", "桂", "GX", 14),
    p("46", "海南省", "海南", "琼", "HI", 4),
    p("50", "重庆市", "重庆", "渝", "CQ", 2),
    p("51", "四川省", "四川", "川", "SC", 21),
    p("52", "贵州省", "贵州", "黔", "GZ", 9),
    p("53", "云南省", "云南", "滇", "YN", 16),
    p("54", "西藏自治区", "西藏", "藏", "XZ", 7),
    p("61", "陕西省", "陕西", "陕", "SN", 10),
    p("62", "甘肃省", "甘肃", "甘", "GS", 14),
    p("63", "青海省", "青海", "青", "QH", 8),
    p("64", "宁夏回族自治区", "宁夏", "宁", "NX", 5),
    p("65", "新疆维吾尔自治区", "新疆", "新", "XJ", 14),
];

/// A prefecture-level division: its code and a name for units and recommenders.
#[derive(Debug, Clone)]
pub struct Prefecture {
    /// Six-digit division code (`xxyy00`).
    pub code: String,
    /// Name (the real one where reference data exists, else the province's short name and the
    /// code's prefecture digits, e.g. 北京01).
    pub name: String,
}

impl Province {
    /// Whether the province ships its own regulation (湖北, 湖南).
    pub fn shipped(&self) -> Option<Template> {
        match self.code {
            region::HUBEI => Some(Template::Hubei),
            region::HUNAN => Some(Template::Hunan),
            _ => None,
        }
    }

    /// The template of the province's policy: its own, or alternately 湖北's and 湖南's for
    /// the others in code order.
    pub fn template(&self) -> Template {
        if let Some(t) = self.shipped() {
            return t;
        }
        let i = PROVINCES
            .iter()
            .filter(|p| p.shipped().is_none())
            .position(|p| p.code == self.code)
            .unwrap_or(0);
        if i % 2 == 0 { Template::Hubei } else { Template::Hunan }
    }

    /// The prefecture-level divisions: from the reference data for 湖北 and 湖南, synthetic
    /// (see the module's interpretation) for the others.
    pub fn prefectures(&self) -> Vec<Prefecture> {
        if self.shipped().is_some() {
            return region::all()
                .iter()
                .filter(|r| r.kind == RegionKind::Prefecture && r.province_code() == self.code)
                .map(|r| Prefecture {
                    code: r.code.to_string(),
                    name: r.name.to_string(),
                })
                .collect();
        }
        (1..=self.prefectures.max(1))
            .map(|n| Prefecture {
                code: format!("{}{n:02}00", self.code),
                name: format!("{}{n:02}", self.short),
            })
            .collect()
    }

    /// The id of the province's policy for a generated period starting in `start_year`.
    pub fn policy_id(&self, start_year: i32) -> String {
        match self.shipped() {
            Some(t) => t.builtin_id().to_string(),
            None => format!("p{}-{}", self.code, copy_in_force(start_year).year()),
        }
    }

    /// The YAML of the province's policy copy for a period of `years` starting in `start_year`
    /// (`None` for 湖北 and 湖南, which use the shipped policies).
    pub fn policy_copy(&self, start_year: i32, years: u32) -> Option<String> {
        if self.shipped().is_some() {
            return None;
        }
        let t = self.template();
        let from = copy_in_force(start_year);
        let validity = years + 4;
        let until = from
            .checked_add_months(chrono::Months::new(12 * validity))
            .and_then(|d| d.pred_opt())
            .unwrap_or(from);
        let (old_id, old_code, old_name, old_short, old_abbr, old_doc, new_doc, old_from, old_until) = match t {
            Template::Hubei => (
                "hubei-2022",
                "42",
                "湖北省",
                "湖北",
                "鄂",
                "鄂科技规〔2022〕6号",
                format!("{}科技规〔{}〕6号", self.abbr, from.year()),
                "2022-08-25",
                "2027-08-24",
            ),
            Template::Hunan => (
                "hunan-2026",
                "43",
                "湖南省",
                "湖南",
                "湘",
                "湘科发〔2026〕27号",
                format!("{}科发〔{}〕27号", self.abbr, from.year()),
                "2026-02-13",
                "2031-02-12",
            ),
        };
        let text = t
            .yaml()
            .replace(&format!("id: {old_id}"), &format!("id: {}", self.policy_id(start_year)))
            .replace(&format!("code: \"{old_code}\""), &format!("code: \"{}\"", self.code))
            .replace(old_doc, &new_doc)
            .replace(old_name, self.name)
            .replace(old_short, self.short)
            .replace(&format!("在{old_abbr}"), &format!("在{}", self.abbr))
            .replace(&format!("驻{old_abbr}"), &format!("驻{}", self.abbr))
            .replace(old_from, &from.to_string())
            .replace(old_until, &until.to_string())
            .replace("validity: { years: 5,", &format!("validity: {{ years: {validity},"))
            .replace("满5年", &format!("满{validity}年"));
        Some(format!(
            "# 生成数据：{}的办法为 {} 的副本，施行日期与有效期按生成期间设定（见 docs/generate.md）。\n{text}",
            self.name,
            t.builtin_id()
        ))
    }

    /// The policy the province runs under, parsed (the shipped one, or its copy).
    pub fn policy(&self, start_year: i32, years: u32) -> Result<Policy, guohe_policy::PolicyError> {
        match (self.shipped(), self.policy_copy(start_year, years)) {
            (_, Some(yaml)) => load::from_yaml(&yaml, &format!("{}.yaml", self.policy_id(start_year))),
            (Some(t), None) => load::from_yaml(t.yaml(), &format!("policies/{}.yaml", t.builtin_id())),
            (None, None) => unreachable!("a province without a shipped policy always has a copy"),
        }
    }
}

/// When a copy comes into force: 1 June three years before the generated period, so that the
/// first evaluations (every three years) of bases carried over in February of its first year
/// fall due within it, after they entered the system.
pub fn copy_in_force(start_year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(start_year - 3, 6, 1).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_one_provinces_with_distinct_codes_and_ids() {
        assert_eq!(PROVINCES.len(), 31);
        let mut codes: Vec<_> = PROVINCES.iter().map(|p| p.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), 31);
        let mut alpha: Vec<_> = PROVINCES.iter().map(|p| p.alpha).collect();
        alpha.sort_unstable();
        alpha.dedup();
        assert_eq!(alpha.len(), 31);
    }

    #[test]
    fn every_copy_loads_as_a_valid_policy_of_its_province() {
        for p in PROVINCES {
            let policy = p.policy(2017, 10).unwrap_or_else(|e| panic!("{}: {e}", p.name));
            assert_eq!(policy.id, p.policy_id(2017));
            if p.shipped().is_none() {
                assert_eq!(policy.id, format!("p{}-2014", p.code));
                assert_eq!(policy.in_force_from, copy_in_force(2017));
                // In force over the whole period (the copies' interpretation).
                assert!(guohe_policy::valid_until(&policy) >= NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
                let yaml = p.policy_copy(2017, 10).unwrap();
                assert!(yaml.contains(p.name), "{}", p.name);
                let old = if p.template() == Template::Hubei {
                    "湖北"
                } else {
                    "湖南"
                };
                assert!(!yaml.contains(old), "{}", p.name);
            }
        }
    }

    #[test]
    fn division_codes_belong_to_their_province() {
        for p in PROVINCES {
            let pref = p.prefectures();
            assert!(!pref.is_empty(), "{}", p.name);
            for d in &pref {
                assert_eq!(d.code.len(), 6);
                assert!(d.code.starts_with(p.code), "{} {}", p.name, d.code);
                assert!(d.code.ends_with("00"), "{}", d.code);
            }
        }
        // 湖北 and 湖南 use the reference data (武汉市 420100, 长沙市 430100).
        let hb = PROVINCES.iter().find(|p| p.code == "42").unwrap();
        assert!(
            hb.prefectures()
                .iter()
                .any(|d| d.code == "420100" && d.name == "武汉市")
        );
        assert_eq!(hb.template(), Template::Hubei);
        // The copies alternate: 北京 湖北-type, 天津 湖南-type.
        assert_eq!(PROVINCES[0].template(), Template::Hubei);
        assert_eq!(PROVINCES[1].template(), Template::Hunan);
    }
}
