//! Questions to the register view: filters, a sort and a page, answered from the indexes and the
//! pre-sorted lists, so that the cost follows the page and the narrowest filter rather than the
//! size of the register.

use std::collections::BTreeSet;

use super::register::{RegisterRow, RegisterView, SortKey};

/// A region filter: division codes starting with `prefix`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionFilter {
    /// The start of the prefecture code (`4301`, `43`).
    pub prefix: String,
    /// Whether a base whose region is unknown matches an empty prefix (the page: yes; the API:
    /// no).
    pub with_unknown: bool,
}

/// Filters, sort and page of the register. An absent filter matches every base.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterQuery {
    /// Search in name, unit and domain (any case).
    pub text: String,
    /// Any of these policies.
    pub policies: Option<Vec<String>>,
    /// Category code.
    pub category: Option<String>,
    /// Technology domain, exactly.
    pub domain: Option<String>,
    /// Partner country code, exactly.
    pub country: Option<String>,
    /// Region.
    pub region: Option<RegionFilter>,
    /// Any of these status codes (`on_register` is `active` or `rectification`).
    pub statuses: Option<Vec<String>>,
    /// Year of recognition.
    pub year: Option<i32>,
    /// Leave out bases not yet recognised on the date (the API; the page shows them).
    pub recognised_only: bool,
    /// Sort.
    pub sort: SortKey,
    /// Descending (the whole order reversed, ties included).
    pub desc: bool,
    /// 1-based page.
    pub page: usize,
    /// Rows per page; `None` for every matching row.
    pub per_page: Option<usize>,
    /// A page past the last one shows the last (the page) rather than nothing (the API).
    pub clamp_page: bool,
}

/// One page of the register.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterPage {
    /// Matching bases in all.
    pub total: usize,
    /// The page shown (clamped when asked).
    pub page: usize,
    /// Its rows, in order.
    pub rows: Vec<RegisterRow>,
}

impl RegisterQuery {
    /// Whether a row passes every filter.
    pub fn matches(&self, r: &RegisterRow) -> bool {
        let text = self.text.to_lowercase();
        self.matches_lower(r, &text)
    }

    fn matches_lower(&self, r: &RegisterRow, needle: &str) -> bool {
        (needle.is_empty() || r.search.iter().any(|s| s.contains(needle)))
            && self.policies.as_ref().is_none_or(|ps| ps.contains(&r.policy))
            && self.category.as_ref().is_none_or(|c| r.category.as_ref() == Some(c))
            && self.domain.as_ref().is_none_or(|d| &r.domain == d)
            && self.country.as_ref().is_none_or(|c| r.country.as_ref() == Some(c))
            && self
                .region
                .as_ref()
                .is_none_or(|f| r.region.starts_with(&f.prefix) && (f.with_unknown || !r.region.is_empty()))
            && self
                .statuses
                .as_ref()
                .is_none_or(|ss| ss.iter().any(|s| s == r.status_code()))
            && self.year.is_none_or(|y| chrono::Datelike::year(&r.recognised_on) == y)
            && (!self.recognised_only || r.recognised)
    }

    /// (page, first row, row count) for `total` matches.
    fn window(&self, total: usize) -> (usize, usize, usize) {
        let page = self.page.max(1);
        match self.per_page {
            None => (1, 0, total),
            Some(size) => {
                let size = size.max(1);
                let page = if self.clamp_page {
                    page.clamp(1, total.div_ceil(size).max(1))
                } else {
                    page
                };
                (page, (page - 1).saturating_mul(size), size)
            }
        }
    }

    fn order(&self, rows: &[RegisterRow], a: u32, b: u32) -> std::cmp::Ordering {
        let o = self.sort.cmp(&rows[a as usize], &rows[b as usize]);
        if self.desc { o.reverse() } else { o }
    }
}

/// The status codes a status filter stands for.
pub fn status_codes(code: &str) -> Vec<String> {
    if code == "on_register" {
        vec!["active".into(), "rectification".into()]
    } else {
        vec![code.to_string()]
    }
}

/// The rows `first..first+count` of `matched` in the query's order: a partial selection, then a
/// sort of the page alone.
fn select(q: &RegisterQuery, rows: &[RegisterRow], mut matched: Vec<u32>, first: usize, count: usize) -> Vec<u32> {
    let end = first.saturating_add(count).min(matched.len());
    if first >= end {
        return Vec::new();
    }
    if end < matched.len() {
        matched.select_nth_unstable_by(end, |&a, &b| q.order(rows, a, b));
        matched.truncate(end);
    }
    if first > 0 {
        matched.select_nth_unstable_by(first, |&a, &b| q.order(rows, a, b));
        matched.drain(..first);
    }
    matched.sort_unstable_by(|&a, &b| q.order(rows, a, b));
    matched
}

/// Answers a query over rows that have no indexes (a register as of a past date): every row is
/// looked at.
pub fn scan(rows: &[RegisterRow], q: &RegisterQuery) -> RegisterPage {
    let needle = q.text.to_lowercase();
    let matched: Vec<u32> = (0..rows.len() as u32)
        .filter(|&i| q.matches_lower(&rows[i as usize], &needle))
        .collect();
    let total = matched.len();
    let (page, first, count) = q.window(total);
    let rows_out = select(q, rows, matched, first, count)
        .into_iter()
        .map(|i| rows[i as usize].clone())
        .collect();
    RegisterPage {
        total,
        page,
        rows: rows_out,
    }
}

/// The rows of the driving filter's sets, or every row when nothing is indexed.
fn candidates<'a>(driver: Option<&'a [&'a BTreeSet<u32>]>, n: usize) -> Box<dyn Iterator<Item = u32> + 'a> {
    match driver {
        Some(d) => Box::new(d.iter().flat_map(|s| s.iter().copied())),
        None => Box::new(0..n as u32),
    }
}

impl RegisterView {
    /// The row sets each indexed filter allows (a filter's sets are disjoint: one value a base).
    fn filter_sets<'a>(&'a self, q: &RegisterQuery) -> Vec<Vec<&'a BTreeSet<u32>>> {
        let mut out = Vec::new();
        if let Some(ps) = &q.policies {
            let distinct: BTreeSet<&String> = ps.iter().collect();
            out.push(distinct.into_iter().filter_map(|p| self.by_policy.get(p)).collect());
        }
        if let Some(c) = &q.category {
            out.push(self.by_category.get(c).into_iter().collect());
        }
        if let Some(d) = &q.domain {
            out.push(self.by_domain.get(d).into_iter().collect());
        }
        if let Some(c) = &q.country {
            out.push(self.by_country.get(c).into_iter().collect());
        }
        if let Some(f) = &q.region {
            out.push(
                self.by_region
                    .range(f.prefix.clone()..)
                    .take_while(|(k, _)| k.starts_with(&f.prefix))
                    .filter(|(k, _)| f.with_unknown || !k.is_empty())
                    .map(|(_, s)| s)
                    .collect(),
            );
        }
        if let Some(ss) = &q.statuses {
            let distinct: BTreeSet<&str> = ss.iter().map(String::as_str).collect();
            out.push(distinct.into_iter().filter_map(|s| self.by_status.get(s)).collect());
        }
        if let Some(y) = q.year {
            out.push(self.by_year.get(&y).into_iter().collect());
        }
        out
    }

    /// One page of the register on the view's date.
    pub fn query(&self, q: &RegisterQuery) -> RegisterPage {
        let needle = q.text.to_lowercase();
        let sets = self.filter_sets(q);
        let hide = q.recognised_only && !self.unrecognised.is_empty();
        let n = self.rows.len();
        // Only one indexed filter and nothing else: its sets are exactly the matches.
        let exact = needle.is_empty() && !hide && sets.len() <= 1;
        let driver = sets.iter().min_by_key(|s| s.iter().map(|x| x.len()).sum::<usize>());
        let candidates = || candidates(driver.map(Vec::as_slice), n);
        // A candidate of the driving filter matches when that filter is the only condition; a
        // row met walking a sorted list must pass every filter unless there are none.
        let unfiltered = exact && sets.is_empty();
        let matches = |i: u32| exact || q.matches_lower(&self.rows[i as usize], &needle);
        let passes = |i: u32| unfiltered || q.matches_lower(&self.rows[i as usize], &needle);
        let total = if exact {
            driver.map_or(n, |d| d.iter().map(|s| s.len()).sum())
        } else {
            candidates().filter(|&i| matches(i)).count()
        };
        let (page, first, count) = q.window(total);
        let count = count.min(total.saturating_sub(first));
        // Walking the pre-sorted list visits about (first + count) · n / total rows; collecting
        // the matches and selecting the page visits `total` candidates again.
        let walk_cost = first.saturating_add(count).saturating_mul(n) / total.max(1);
        let ids: Vec<u32> = if count == 0 {
            Vec::new()
        } else if walk_cost <= total {
            let order = &self.orders[SortKey::ALL.iter().position(|k| *k == q.sort).unwrap_or(0)];
            let walk: Box<dyn Iterator<Item = &u32> + '_> = if q.desc {
                Box::new(order.iter().rev())
            } else {
                Box::new(order.iter())
            };
            walk.copied().filter(|&i| passes(i)).skip(first).take(count).collect()
        } else {
            let matched: Vec<u32> = candidates().filter(|&i| matches(i)).collect();
            select(q, &self.rows, matched, first, count)
        };
        RegisterPage {
            total,
            page,
            rows: ids.into_iter().map(|i| self.rows[i as usize].clone()).collect(),
        }
    }
}

/// What the register's filters offer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterChoices {
    /// Category codes in use, each with the policy of a base that has it (for its label).
    pub categories: Vec<(String, String)>,
    /// The most common technology domains, most common first.
    pub domains: Vec<String>,
    /// Partner country codes in use.
    pub countries: Vec<String>,
    /// Prefecture codes in use.
    pub regions: Vec<String>,
}

impl RegisterView {
    /// The filter choices: values in use, whatever the status.
    pub fn choices(&self) -> RegisterChoices {
        RegisterChoices {
            categories: self
                .by_category
                .iter()
                .filter(|(c, _)| !c.is_empty())
                .filter_map(|(c, s)| Some((c.clone(), self.rows[*s.first()? as usize].policy.clone())))
                .collect(),
            domains: self.top_domains().to_vec(),
            countries: self.by_country.keys().filter(|c| !c.is_empty()).cloned().collect(),
            regions: self.by_region.keys().filter(|r| !r.is_empty()).cloned().collect(),
        }
    }
}
