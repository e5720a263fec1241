//! Administrative division codes (行政区划代码, GB/T 2260) of Hunan and Hubei.
//!
//! The table holds the two provinces and their prefecture-level divisions —
//! the usual geographic recommenders of a base (市州科技局) — plus Hubei's
//! county-level divisions administered directly by the province (省直辖县级
//! 行政单位: 仙桃, 潜江, 天门, 神农架林区).
//!
//! [`lookup`] only knows the table. [`province_code`] and [`is_in_province`]
//! work on any code of the right shape (six ASCII digits), so a county-level
//! code such as `430102` (长沙市芙蓉区) is accepted there even though it is not
//! in the table. Only the shape is checked: GB/T 2260 changes over time and the
//! full national list is not carried here.

use std::sync::LazyLock;

use serde::Serialize;

use crate::csvline;

const DATA: &str = include_str!("../data/regions-hunan-hubei.csv");

/// 湖南省 — province code prefix of Hunan.
pub const HUNAN: &str = "43";
/// 湖北省 — province code prefix of Hubei.
pub const HUBEI: &str = "42";

/// The level of a division in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegionKind {
    /// 省 — the province itself (code `xx0000`).
    Province,
    /// 地级 — prefecture-level city or autonomous prefecture (市、州).
    Prefecture,
    /// 省直辖县级行政单位 — county-level division administered directly by the province.
    DirectlyAdministered,
}

/// One administrative division of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Region {
    /// Six-digit GB/T 2260 code (e.g. `"430100"`).
    pub code: &'static str,
    /// Name of the province it belongs to (e.g. `"湖南省"`).
    pub province: &'static str,
    /// Name of the division (e.g. `"长沙市"`).
    pub name: &'static str,
    /// Level of the division.
    pub kind: RegionKind,
}

impl Region {
    /// The two-digit province prefix of the code (e.g. `"43"`).
    pub fn province_code(&self) -> &'static str {
        &self.code[..2]
    }
}

/// Why a string is not an administrative division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    /// The code is not made of exactly six ASCII digits.
    #[error("administrative division code must be six digits, got {code:?}")]
    NotSixDigits {
        /// The code as given (trimmed).
        code: String,
    },
}

impl RegionCodeError {
    /// The error in Chinese, for display to users.
    pub fn message_zh(&self) -> String {
        match self {
            Self::NotSixDigits { code } => {
                format!("行政区划代码应为6位数字，实际为“{code}”")
            }
        }
    }
}

static REGIONS: LazyLock<Vec<Region>> = LazyLock::new(|| {
    // The table is compiled in and checked by the tests below, so a failure
    // here is a build defect, not bad input.
    parse(DATA).unwrap_or_else(|e| panic!("embedded regions-hunan-hubei.csv is malformed: {e}"))
});

fn parse(text: &'static str) -> Result<Vec<Region>, String> {
    let mut out: Vec<Region> = Vec::new();
    for (line_no, line) in csvline::data_lines(text) {
        let fields = csvline::split(line).ok_or_else(|| format!("line {line_no}: unbalanced quotes"))?;
        let [code, province, name, kind] = fields[..] else {
            return Err(format!("line {line_no}: expected 4 fields, found {}", fields.len()));
        };
        if !is_six_digits(code) {
            return Err(format!("line {line_no}: bad code {code:?}"));
        }
        let kind = match kind {
            "province" => RegionKind::Province,
            "prefecture" => RegionKind::Prefecture,
            "directly-administered" => RegionKind::DirectlyAdministered,
            other => return Err(format!("line {line_no}: unknown kind {other:?}")),
        };
        if out.iter().any(|r| r.code == code) {
            return Err(format!("line {line_no}: duplicate code {code}"));
        }
        out.push(Region {
            code,
            province,
            name,
            kind,
        });
    }
    if out.is_empty() {
        return Err("no rows".to_owned());
    }
    Ok(out)
}

fn is_six_digits(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Looks a division up by its six-digit code (surrounding whitespace is
/// ignored). Only divisions in the table are found; see the module docs.
pub fn lookup(code: &str) -> Option<&'static Region> {
    // Every register row names its region: found through an index by code, not a walk through
    // the table.
    BY_CODE.get(code.trim()).map(|&i| &REGIONS[i])
}

/// Each code's place in [`REGIONS`].
static BY_CODE: LazyLock<std::collections::HashMap<&'static str, usize>> = LazyLock::new(|| {
    let mut index = std::collections::HashMap::with_capacity(REGIONS.len());
    for (i, r) in REGIONS.iter().enumerate() {
        // The first entry of a code wins, as a walk through the table would find it.
        index.entry(r.code).or_insert(i);
    }
    index
});

/// All divisions of the table: each province first, followed by its divisions.
pub fn all() -> &'static [Region] {
    &REGIONS
}

/// The province-level entry (`xx0000`) of the province a code belongs to, when
/// that province is in the table (Hunan or Hubei).
pub fn province_of(code: &str) -> Option<&'static Region> {
    let prefix = province_code(code).ok()?;
    REGIONS
        .iter()
        .find(|r| r.kind == RegionKind::Province && r.province_code() == prefix)
}

/// The two-digit province prefix of any six-digit division code, e.g. `"43"`
/// for `"430100"` (长沙市) and for `"430102"` (芙蓉区, not in the table).
///
/// Surrounding whitespace is ignored. Only the shape is checked; the prefix is
/// not checked against the list of provinces.
pub fn province_code(code: &str) -> Result<&str, RegionCodeError> {
    let code = code.trim();
    if is_six_digits(code) {
        Ok(&code[..2])
    } else {
        Err(RegionCodeError::NotSixDigits { code: code.to_owned() })
    }
}

/// True when `code` is a six-digit division code in the province whose
/// two-digit prefix is `province` (e.g. [`HUNAN`] = `"43"`). A malformed code
/// is in no province.
pub fn is_in_province(code: &str, province: &str) -> bool {
    province_code(code).is_ok_and(|p| p == province.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses() {
        let all = parse(DATA).expect("embedded table parses");
        assert_eq!(all.len(), 33);
        assert_eq!(all.iter().filter(|r| r.province == "湖南省").count(), 15);
        assert_eq!(all.iter().filter(|r| r.province == "湖北省").count(), 18);
        for r in &all {
            let expected = match r.province {
                "湖南省" => HUNAN,
                "湖北省" => HUBEI,
                other => panic!("unexpected province {other}"),
            };
            assert_eq!(r.province_code(), expected, "{}", r.code);
        }
    }

    #[test]
    fn lookup_known_codes() {
        let cs = lookup("430100").expect("长沙");
        assert_eq!(cs.name, "长沙市");
        assert_eq!(cs.province, "湖南省");
        assert_eq!(cs.kind, RegionKind::Prefecture);
        assert_eq!(lookup(" 430100 "), Some(cs));
        assert_eq!(lookup("420100").map(|r| r.name), Some("武汉市"));
        assert_eq!(lookup("433100").map(|r| r.name), Some("湘西土家族苗族自治州"));
        let sn = lookup("429021").expect("神农架");
        assert_eq!(sn.kind, RegionKind::DirectlyAdministered);
        assert_eq!(lookup("430000").map(|r| r.kind), Some(RegionKind::Province));
    }

    #[test]
    fn every_division_is_found_by_its_code() {
        for r in all() {
            assert_eq!(lookup(r.code), Some(r), "the first entry of {}", r.code);
        }
    }

    #[test]
    fn lookup_only_knows_the_table() {
        assert_eq!(lookup("430102"), None, "county-level, not in the table");
        assert_eq!(lookup("110000"), None, "Beijing is not in the table");
        assert_eq!(lookup("4301"), None);
        assert_eq!(lookup(""), None);
    }

    #[test]
    fn province_code_accepts_any_six_digit_code() {
        assert_eq!(province_code("430100"), Ok("43"));
        assert_eq!(province_code("430102"), Ok("43"));
        assert_eq!(province_code("421381"), Ok("42"));
        assert_eq!(province_code(" 420100\n"), Ok("42"));
        assert_eq!(province_code("110101"), Ok("11"));
    }

    #[test]
    fn province_code_rejects_bad_shapes() {
        for bad in ["", "43", "43010", "4301000", "43010a", "４３０１００", "43 100"] {
            let err = province_code(bad).expect_err(bad);
            assert!(matches!(err, RegionCodeError::NotSixDigits { .. }));
            assert!(err.message_zh().contains("6位数字"), "{}", err.message_zh());
        }
    }

    #[test]
    fn membership() {
        assert!(is_in_province("430100", HUNAN));
        assert!(is_in_province("431321", "43"));
        assert!(!is_in_province("420100", HUNAN));
        assert!(is_in_province("429004", HUBEI));
        assert!(!is_in_province("4301", HUNAN));
        assert!(!is_in_province("430100", "430000"));
    }

    #[test]
    fn province_entry() {
        assert_eq!(province_of("430102").map(|r| r.name), Some("湖南省"));
        assert_eq!(province_of("429021").map(|r| r.name), Some("湖北省"));
        assert_eq!(province_of("110101"), None);
        assert_eq!(province_of("x"), None);
    }
}
