//! 评估周期 — when periodic evaluations fall due, and from which day a base's cycle counts.
//!
//! Regulations write the schedule in several ways: "每3年" (every 3 years), "命名后第2年首次评估，
//! 此后每4年" (a first interval, then a repeat interval), or a list of years. A base named through
//! the procedure counts from its naming; for bases carried over from before the policy or joining
//! from the national programme the start of the cycle is a reading of the policy, so it is a
//! parameter here, with the interpretation behind it.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::citation::ArticleRef;

/// 动态评估 / 绩效评估 — the periodic evaluation and its schedule.
///
/// Exactly one schedule is written: `every_years`, or `first_after_years` (with
/// `then_every_years` for the repeats), or `after_years` (a list).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    /// The article prescribing it.
    pub article: ArticleRef,
    /// Every how many years from the start of the cycle (每N年).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_years: Option<u32>,
    /// Years from the start of the cycle to the first evaluation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_after_years: Option<u32>,
    /// Years between later evaluations; absent with `first_after_years`, there is one only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then_every_years: Option<u32>,
    /// The evaluations as years from the start of the cycle, in increasing order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_years: Vec<u32>,
    /// From which day the cycle of a carried-over or joining base counts.
    #[serde(default)]
    pub cycle_start: CycleStart,
    /// Whether bases are evaluated by category.
    #[serde(default)]
    pub by_category: bool,
}

/// The start of the evaluation cycle for bases that were not named under this policy.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CycleStart {
    /// Bases recognised before the policy and carried onto its register.
    #[serde(default = "later_of")]
    pub carried_over: CycleAnchor,
    /// National bases joining the provincial register without recognition (Hubei 第三十条).
    #[serde(default = "joining")]
    pub joining: CycleAnchor,
    /// The interpretation behind the choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpretation: Option<String>,
}

impl Default for CycleStart {
    fn default() -> Self {
        CycleStart {
            carried_over: later_of(),
            joining: joining(),
            interpretation: None,
        }
    }
}

fn later_of() -> CycleAnchor {
    CycleAnchor::LaterOfRecognitionAndEntryIntoForce
}

fn joining() -> CycleAnchor {
    CycleAnchor::Joining
}

/// A day a cycle may count from.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CycleAnchor {
    /// The later of the base's original recognition and the policy's entry into force.
    #[default]
    LaterOfRecognitionAndEntryIntoForce,
    /// The base's original recognition.
    Recognition,
    /// The policy's entry into force.
    EntryIntoForce,
    /// The day the base joins the register.
    Joining,
}

impl CycleAnchor {
    /// The day the cycle counts from.
    pub fn date(self, recognised_on: NaiveDate, in_force_from: NaiveDate, joined_on: NaiveDate) -> NaiveDate {
        match self {
            CycleAnchor::LaterOfRecognitionAndEntryIntoForce => recognised_on.max(in_force_from),
            CycleAnchor::Recognition => recognised_on,
            CycleAnchor::EntryIntoForce => in_force_from,
            CycleAnchor::Joining => joined_on,
        }
    }
}

impl Evaluation {
    /// Years from the start of the cycle to evaluation number `cycle` (1-based), or `None` when
    /// the schedule has no such evaluation.
    pub fn years_to(&self, cycle: u32) -> Option<u32> {
        if cycle == 0 {
            return None;
        }
        if let Some(every) = self.every_years {
            return every.checked_mul(cycle);
        }
        if let Some(first) = self.first_after_years {
            return match (cycle, self.then_every_years) {
                (1, _) => Some(first),
                (_, Some(then)) => then.checked_mul(cycle - 1)?.checked_add(first),
                (_, None) => None,
            };
        }
        self.after_years.get(cycle as usize - 1).copied()
    }

    /// The day evaluation number `cycle` falls due for a cycle starting on `start`.
    pub fn due_on(&self, start: NaiveDate, cycle: u32) -> Option<NaiveDate> {
        start.checked_add_months(Months::new(12u32.checked_mul(self.years_to(cycle)?)?))
    }

    /// Checks the schedule: exactly one form, positive and increasing intervals.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let forms = [
            self.every_years.is_some(),
            self.first_after_years.is_some(),
            !self.after_years.is_empty(),
        ]
        .iter()
        .filter(|x| **x)
        .count();
        if forms != 1 {
            return Err((
                "",
                "write one schedule: `every_years`, `first_after_years` (with `then_every_years`) or `after_years`"
                    .into(),
            ));
        }
        if self.then_every_years.is_some() && self.first_after_years.is_none() {
            return Err((
                "then_every_years",
                "`then_every_years` follows `first_after_years`".into(),
            ));
        }
        for (name, v) in [
            ("every_years", self.every_years),
            ("first_after_years", self.first_after_years),
            ("then_every_years", self.then_every_years),
        ] {
            if v == Some(0) {
                return Err((name, "must be at least 1".into()));
            }
        }
        if self.after_years.first() == Some(&0) || self.after_years.windows(2).any(|w| w[1] <= w[0]) {
            return Err((
                "after_years",
                "years must be at least 1 and increasing, e.g. [2, 6, 10]".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(yaml: &str) -> Evaluation {
        serde_yaml_ng::from_str(&format!("article: \"24\"\n{yaml}")).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_n_years() {
        let e = eval("every_years: 3");
        assert!(e.check().is_ok());
        assert_eq!(e.due_on(d("2026-06-10"), 1), Some(d("2029-06-10")));
        assert_eq!(e.due_on(d("2026-06-10"), 2), Some(d("2032-06-10")));
    }

    /// "first evaluation 2 years after naming, then every 4 years".
    #[test]
    fn a_first_interval_then_a_repeat() {
        let e = eval("first_after_years: 2\nthen_every_years: 4");
        assert!(e.check().is_ok());
        let years: Vec<Option<u32>> = (1..=3).map(|c| e.years_to(c)).collect();
        assert_eq!(years, [Some(2), Some(6), Some(10)]);
        let once = eval("first_after_years: 2");
        assert_eq!((once.years_to(1), once.years_to(2)), (Some(2), None));
    }

    #[test]
    fn a_list_of_years() {
        let e = eval("after_years: [1, 3, 5]");
        assert!(e.check().is_ok());
        assert_eq!((e.years_to(3), e.years_to(4)), (Some(5), None));
    }

    #[test]
    fn bad_schedules_are_refused() {
        assert!(eval("every_years: 3\nfirst_after_years: 2").check().is_err());
        assert!(eval("by_category: true").check().is_err());
        assert_eq!(eval("every_years: 0").check().unwrap_err().0, "every_years");
        assert_eq!(eval("after_years: [3, 2]").check().unwrap_err().0, "after_years");
        assert_eq!(
            eval("every_years: 3\nthen_every_years: 2").check().unwrap_err().0,
            "then_every_years"
        );
    }

    #[test]
    fn cycle_anchors() {
        let (rec, force, joined) = (d("2020-05-01"), d("2022-08-25"), d("2026-03-01"));
        let start = CycleStart::default();
        assert_eq!(start.carried_over.date(rec, force, joined), force);
        assert_eq!(start.joining.date(rec, force, joined), joined);
        assert_eq!(CycleAnchor::Recognition.date(rec, force, joined), rec);
    }
}
