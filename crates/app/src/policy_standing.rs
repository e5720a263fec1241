//! 办法效力 — where each policy of a province stands on a day: in force, expiring soon, expired
//! with or without a successor. The department's dashboard shows it so that an expired
//! regulation with nothing to follow it is noticed before a round is refused for it.
//!
//! When a policy's period of force has ended (Hubei 第三十三条, Hunan 第二十三条), new rounds
//! under it are refused citing that article (`guohe_domain::handle`), while the bases it named
//! keep being managed and the register keeps working. A successor is another policy of the same
//! province that is in force on the day, or loaded and not yet in force.

use chrono::NaiveDate;
use guohe_policy::{Policy, PolicySet, valid_until};
use serde::Serialize;

/// How many days before the end of validity the dashboard starts to warn.
pub const EXPIRY_WARNING_DAYS: i64 = 180;

/// Where one policy stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Standing {
    /// Not yet in force.
    NotYetInForce,
    /// In force, with more than the warning period left.
    InForce,
    /// In force, ending within the warning period, and no successor is loaded.
    ExpiringWithoutSuccessor {
        /// Days left, the last day counted.
        days_left: i64,
    },
    /// Its period has ended and no successor is loaded: new rounds are refused.
    ExpiredWithoutSuccessor,
    /// Its period has ended (or is ending) and this policy follows it.
    Succeeded {
        /// The successor's id.
        by: String,
    },
}

/// One policy's standing, with what a reader needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyStanding {
    /// Policy id.
    pub policy: String,
    /// Its title.
    pub title: String,
    /// Its 文号.
    pub document_number: String,
    /// Last day of validity.
    pub valid_until: NaiveDate,
    /// The article on validity, in Chinese (第三十三条).
    pub article_zh: String,
    /// The article, machine form (`hubei-2022:33`).
    pub article: String,
    /// Where it stands.
    pub standing: Standing,
}

fn successor<'a>(set: &'a PolicySet, p: &Policy, today: NaiveDate) -> Option<&'a Policy> {
    set.all()
        .iter()
        .filter(|s| s.id != p.id && s.province.code == p.province.code)
        .filter(|s| s.in_force_from > p.in_force_from)
        .find(|s| valid_until(s) >= today)
}

/// The standing of each of `ids` (a province's policies) on `today`.
pub fn standings(set: &PolicySet, ids: &[String], today: NaiveDate) -> Vec<PolicyStanding> {
    let mut out = Vec::new();
    for id in ids {
        let Some(p) = set.get(id) else { continue };
        let until = valid_until(p);
        let days_left = (until - today).num_days() + 1;
        let next = successor(set, p, today);
        let standing = if today < p.in_force_from {
            Standing::NotYetInForce
        } else if days_left > EXPIRY_WARNING_DAYS {
            Standing::InForce
        } else if let Some(s) = next {
            Standing::Succeeded { by: s.id.clone() }
        } else if days_left > 0 {
            Standing::ExpiringWithoutSuccessor { days_left }
        } else {
            Standing::ExpiredWithoutSuccessor
        };
        out.push(PolicyStanding {
            policy: p.id.clone(),
            title: p.title.clone(),
            document_number: p.document_number.clone(),
            valid_until: until,
            article_zh: p.cite_zh(p.validity.article),
            article: p.cite(p.validity.article).to_string(),
            standing,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn hubei(set: &PolicySet, on: &str) -> PolicyStanding {
        standings(set, &["hubei-2022".into()], d(on)).remove(0)
    }

    #[test]
    fn hubei_2022_runs_five_years_from_25_august_2022_under_article_33() {
        // 第三十三条: 自2022年8月25日起施行，有效期5年.
        let set = PolicySet::default();
        let s = hubei(&set, "2026-11-20");
        assert_eq!(s.valid_until, d("2027-08-24"));
        assert_eq!(s.article, "hubei-2022:33");
        assert_eq!(s.article_zh, "第三十三条");
        assert_eq!(s.standing, Standing::InForce);
        // The warning starts 180 days before the end, the last day counted.
        assert_eq!(hubei(&set, "2027-02-25").standing, Standing::InForce);
        assert_eq!(
            hubei(&set, "2027-02-26").standing,
            Standing::ExpiringWithoutSuccessor { days_left: 180 }
        );
        assert_eq!(
            hubei(&set, "2027-08-24").standing,
            Standing::ExpiringWithoutSuccessor { days_left: 1 }
        );
        assert_eq!(hubei(&set, "2027-08-25").standing, Standing::ExpiredWithoutSuccessor);
        assert_eq!(hubei(&set, "2022-08-24").standing, Standing::NotYetInForce);
    }

    #[test]
    fn a_loaded_successor_of_the_same_province_ends_the_warning() {
        let mut set = PolicySet::default();
        let mut next = set.get("hubei-2022").unwrap().clone();
        next.id = "hubei-2027".into();
        next.in_force_from = d("2027-08-25");
        set.add(next);
        assert_eq!(
            hubei(&set, "2027-09-01").standing,
            Standing::Succeeded {
                by: "hubei-2027".into()
            }
        );
        // Loaded ahead of time, it ends the warning before the old one expires.
        assert_eq!(
            hubei(&set, "2027-06-01").standing,
            Standing::Succeeded {
                by: "hubei-2027".into()
            }
        );
        // Another province's policy is no successor.
        let set = PolicySet::default();
        assert_eq!(hubei(&set, "2027-09-01").standing, Standing::ExpiredWithoutSuccessor);
    }
}
