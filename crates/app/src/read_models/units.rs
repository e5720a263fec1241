//! 单位检索 — the support units' names as an index of their characters, for the public
//! verification page's search by (part of) a unit's name: the register's rows by every
//! character and every pair of consecutive characters of the lower-cased unit name. A search
//! reads the shortest list of rows among the needle's pairs (its one character for a needle of
//! one) and checks those rows alone, so that its cost is the rows that hold the needle's rarest
//! pair, not the register.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::register::RegisterView;
use crate::verification::UnitMatch;

/// A character, or a pair of consecutive characters, of a lower-cased name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Gram {
    One(char),
    Two(char, char),
}

/// Every distinct character and pair of consecutive characters of `s`.
fn grams(s: &str) -> BTreeSet<Gram> {
    let mut out: BTreeSet<Gram> = s.chars().map(Gram::One).collect();
    let mut chars = s.chars();
    if let Some(mut prev) = chars.next() {
        for c in chars {
            out.insert(Gram::Two(prev, c));
            prev = c;
        }
    }
    out
}

/// The grams a name must hold to contain `needle`: its pairs, or its one character.
fn needle_grams(needle: &str) -> BTreeSet<Gram> {
    let all = grams(needle);
    if needle.chars().nth(1).is_some() {
        all.into_iter().filter(|g| matches!(g, Gram::Two(..))).collect()
    } else {
        all
    }
}

/// Register rows by the grams of their lower-cased unit name, each list ascending.
#[derive(Debug, Clone, Default)]
pub(crate) struct UnitNameIndex {
    rows: HashMap<Gram, Vec<u32>>,
}

impl UnitNameIndex {
    /// Row `i`, whose lower-cased unit name is `name`, is listed under each of its grams.
    pub(crate) fn add(&mut self, i: u32, name: &str) {
        for g in grams(name) {
            let list = self.rows.entry(g).or_default();
            // Rows come in ascending order when the view is built: a push, then.
            match list.last() {
                Some(&last) if last >= i => {
                    if let Err(p) = list.binary_search(&i) {
                        list.insert(p, i);
                    }
                }
                _ => list.push(i),
            }
        }
    }

    /// Row `i`, whose lower-cased unit name was `name`, is no longer listed.
    pub(crate) fn remove(&mut self, i: u32, name: &str) {
        for g in grams(name) {
            if let Some(list) = self.rows.get_mut(&g) {
                if let Ok(p) = list.binary_search(&i) {
                    list.remove(p);
                }
                if list.is_empty() {
                    self.rows.remove(&g);
                }
            }
        }
    }

    /// The rows that may contain the lower-cased `needle`: those under its rarest gram (none
    /// when a gram is under no row, or the needle is empty).
    fn candidates(&self, needle: &str) -> &[u32] {
        let mut shortest: Option<&[u32]> = None;
        for g in needle_grams(needle) {
            let list = self.rows.get(&g).map_or(&[][..], Vec::as_slice);
            if shortest.is_none_or(|s| list.len() < s.len()) {
                shortest = Some(list);
            }
        }
        shortest.unwrap_or(&[])
    }
}

impl RegisterView {
    /// Units with a base whose unit name contains `needle` (case-insensitive, spaces around it
    /// trimmed), or whose 统一社会信用代码 is the needle: each once, under the first of its
    /// matching names, by name then code; at most `limit`. The code is given as the register
    /// indexes it (trimmed, upper case).
    pub fn search_units(&self, needle: &str, limit: usize) -> Vec<UnitMatch> {
        let needle = needle.trim().to_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        let by_name = self
            .unit_names
            .candidates(&needle)
            .iter()
            .map(|&i| &self.rows[i as usize])
            .filter(|r| r.search[1].contains(&needle));
        let by_code = self
            .by_unit
            .get(&super::unit_key(&needle))
            .into_iter()
            .flatten()
            .map(|&i| &self.rows[i as usize]);
        let mut first_name: BTreeMap<&str, &str> = BTreeMap::new();
        for r in by_name.chain(by_code) {
            first_name
                .entry(r.unit_key.as_str())
                .and_modify(|name| *name = (*name).min(r.unit.as_str()))
                .or_insert(r.unit.as_str());
        }
        let mut out: Vec<UnitMatch> = first_name
            .into_iter()
            .map(|(uscc, name)| UnitMatch {
                uscc: uscc.to_string(),
                unit_name: name.to_string(),
            })
            .collect();
        out.sort_by(|a, b| a.unit_name.cmp(&b.unit_name).then_with(|| a.uscc.cmp(&b.uscc)));
        out.truncate(limit);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_listed_under_its_characters_and_pairs() {
        let g = grams("武汉大学");
        assert!(g.contains(&Gram::One('汉')) && g.contains(&Gram::Two('汉', '大')));
        assert_eq!(g.len(), 4 + 3);
        assert!(grams("").is_empty());
        assert_eq!(needle_grams("大学"), BTreeSet::from([Gram::Two('大', '学')]));
        assert_eq!(needle_grams("学"), BTreeSet::from([Gram::One('学')]));
    }

    #[test]
    fn rows_are_added_in_any_order_and_removed() {
        let mut ix = UnitNameIndex::default();
        ix.add(5, "武汉大学");
        ix.add(2, "华中大学");
        ix.add(9, "大学");
        ix.add(2, "华中大学");
        assert_eq!(ix.candidates("大学"), &[2, 5, 9]);
        assert_eq!(ix.candidates("武汉大"), &[5]);
        assert_eq!(ix.candidates("华"), &[2]);
        assert_eq!(ix.candidates("长沙"), &[] as &[u32]);
        assert_eq!(ix.candidates(""), &[] as &[u32]);
        ix.remove(5, "武汉大学");
        assert_eq!(ix.candidates("大学"), &[2, 9]);
        assert_eq!(ix.candidates("武汉"), &[] as &[u32]);
        assert!(!ix.rows.contains_key(&Gram::One('武')), "an emptied list is dropped");
    }
}
