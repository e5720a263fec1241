//! Countries and regions (国家（地区）) by ISO 3166-1 alpha-2 code.
//!
//! The Chinese names are the ones a Chinese government system uses; in
//! particular Hong Kong, Macao and Taiwan are named 中国香港, 中国澳门 and
//! 中国台湾 and carry the [`Country::hmt`] flag (港澳台), so that a picker can
//! be labelled 国家（地区） and cooperation with 港澳台 partners can be reported
//! separately from cooperation with foreign countries.
//!
//! Source: the i18n-iso-countries data set (zh) with the naming above; Kosovo
//! (`XK`) is not an ISO 3166 code and is not included.

use std::sync::LazyLock;

use serde::Serialize;

use crate::csvline;

const DATA: &str = include_str!("../data/countries-zh.csv");

/// One entry of ISO 3166-1 with its Chinese name (国家（地区）).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code, canonical uppercase (e.g. `"DE"`).
    pub alpha2: &'static str,
    /// Chinese name as used by a Chinese government system (e.g. `"德国"`, `"中国香港"`).
    pub name_zh: &'static str,
    /// English short name (e.g. `"Germany"`).
    pub name_en: &'static str,
    /// 港澳台 — true for Hong Kong (`HK`), Macao (`MO`) and Taiwan (`TW`).
    pub hmt: bool,
}

impl Country {
    /// True for the People's Republic of China itself (`CN`, 中国).
    pub fn is_china(&self) -> bool {
        self.alpha2 == "CN"
    }

    /// 境外 — true for every entry other than `CN`: foreign countries and 港澳台.
    pub fn is_outside_mainland(&self) -> bool {
        !self.is_china()
    }
}

static COUNTRIES: LazyLock<Vec<Country>> = LazyLock::new(|| {
    // The table is compiled in and checked by the tests below, so a failure
    // here is a build defect, not bad input.
    parse(DATA).unwrap_or_else(|e| panic!("embedded countries-zh.csv is malformed: {e}"))
});

fn parse(text: &'static str) -> Result<Vec<Country>, String> {
    let mut out: Vec<Country> = Vec::new();
    for (line_no, line) in csvline::data_lines(text) {
        let fields = csvline::split(line).ok_or_else(|| format!("line {line_no}: unbalanced quotes"))?;
        let [alpha2, name_zh, name_en, note] = fields[..] else {
            return Err(format!("line {line_no}: expected 4 fields, found {}", fields.len()));
        };
        if alpha2.len() != 2 || !alpha2.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!("line {line_no}: bad alpha-2 code {alpha2:?}"));
        }
        if name_zh.is_empty() || name_en.is_empty() {
            return Err(format!("line {line_no}: empty name"));
        }
        let hmt = match note {
            "" => false,
            "hmt" => true,
            other => return Err(format!("line {line_no}: unknown note {other:?}")),
        };
        if out.iter().any(|c| c.alpha2 == alpha2) {
            return Err(format!("line {line_no}: duplicate code {alpha2}"));
        }
        out.push(Country {
            alpha2,
            name_zh,
            name_en,
            hmt,
        });
    }
    if out.is_empty() {
        return Err("no rows".to_owned());
    }
    Ok(out)
}

/// Looks a country up by its ISO 3166-1 alpha-2 code.
///
/// The input is matched case-insensitively after trimming surrounding
/// whitespace (`"de"`, `" DE "` and `"De"` all find Germany); the returned
/// entry carries the canonical uppercase code. Unknown codes give `None`.
pub fn lookup(code: &str) -> Option<&'static Country> {
    // Every page of the register names each row's country: a binary search of the table,
    // which the tests keep ordered by code, not a walk through 249 entries.
    let [a, b] = code.trim().as_bytes() else { return None };
    let key = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
    COUNTRIES
        .binary_search_by(|c| c.alpha2.as_bytes().cmp(&key[..]))
        .ok()
        .map(|i| &COUNTRIES[i])
}

/// Looks a country up by its exact Chinese name (e.g. `"中国香港"`), after
/// trimming surrounding whitespace.
pub fn lookup_by_name_zh(name: &str) -> Option<&'static Country> {
    let name = name.trim();
    COUNTRIES.iter().find(|c| c.name_zh == name)
}

/// All entries, ordered by alpha-2 code.
pub fn all() -> &'static [Country] {
    &COUNTRIES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses() {
        let all = parse(DATA).expect("embedded table parses");
        assert_eq!(all.len(), 249);
        let mut codes: Vec<_> = all.iter().map(|c| c.alpha2).collect();
        let sorted = {
            let mut s = codes.clone();
            s.sort_unstable();
            s
        };
        assert_eq!(codes, sorted, "table is ordered by code");
        codes.dedup();
        assert_eq!(codes.len(), 249);
    }

    #[test]
    fn lookup_is_case_insensitive_and_canonical() {
        let de = lookup("de").expect("DE");
        assert_eq!(de.alpha2, "DE");
        assert_eq!(de.name_zh, "德国");
        assert_eq!(de.name_en, "Germany");
        assert!(!de.hmt);
        assert_eq!(lookup(" De "), Some(de));
        assert_eq!(lookup("DE"), Some(de));
    }

    #[test]
    fn unknown_codes_are_none() {
        for code in ["", "D", "DEU", "XK", "ZZ", "1A", "德国"] {
            assert_eq!(lookup(code), None, "{code:?}");
        }
    }

    #[test]
    fn hong_kong_macao_taiwan() {
        let hmt: Vec<_> = all().iter().filter(|c| c.hmt).map(|c| c.alpha2).collect();
        assert_eq!(hmt, ["HK", "MO", "TW"]);
        assert_eq!(lookup("hk").map(|c| c.name_zh), Some("中国香港"));
        assert_eq!(lookup("mo").map(|c| c.name_zh), Some("中国澳门"));
        assert_eq!(lookup("tw").map(|c| c.name_zh), Some("中国台湾"));
        let cn = lookup("cn").expect("CN");
        assert_eq!(cn.name_zh, "中国");
        assert!(cn.is_china() && !cn.hmt && !cn.is_outside_mainland());
        assert!(lookup("HK").is_some_and(Country::is_outside_mainland));
    }

    #[test]
    fn quoted_english_names_with_commas() {
        assert_eq!(
            lookup("BQ").map(|c| c.name_en),
            Some("Bonaire, Sint Eustatius and Saba")
        );
        assert_eq!(lookup("md").map(|c| c.name_en), Some("Moldova, Republic of"));
    }

    #[test]
    fn every_entry_is_found_by_its_code_in_either_case() {
        for c in all() {
            assert_eq!(lookup(c.alpha2), Some(c));
            assert_eq!(lookup(&c.alpha2.to_ascii_lowercase()), Some(c));
        }
        for code in ["D", "DEU", "中国", "D E", "ZZ"] {
            assert_eq!(lookup(code), None, "{code:?}");
        }
    }

    #[test]
    fn lookup_by_chinese_name() {
        assert_eq!(lookup_by_name_zh("中国台湾").map(|c| c.alpha2), Some("TW"));
        assert_eq!(lookup_by_name_zh(" 德国 ").map(|c| c.alpha2), Some("DE"));
        assert_eq!(lookup_by_name_zh("台湾"), None);
    }
}
