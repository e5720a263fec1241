//! 申报批次 — where a round stands on a day: the one reading of its dates that the submission
//! rule, the unit's open rounds, the work queue and the department's list all share.

use chrono::NaiveDate;

use crate::state::Round;

/// Where a round stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundPhase {
    /// 未开始 — before its first day.
    Upcoming,
    /// 受理中 — applications are accepted.
    Open,
    /// 已截止 — its last day has passed.
    Ended,
    /// 已关闭 — closed by command (early or on time).
    Closed,
}

impl RoundPhase {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            RoundPhase::Upcoming => "未开始",
            RoundPhase::Open => "受理中",
            RoundPhase::Ended => "已截止",
            RoundPhase::Closed => "已关闭",
        }
    }

    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            RoundPhase::Upcoming => "Upcoming",
            RoundPhase::Open => "Open",
            RoundPhase::Ended => "Ended",
            RoundPhase::Closed => "Closed",
        }
    }
}

impl Round {
    /// Where the round stands on `today`: closed by command wins over its dates; both its first
    /// and its last day accept applications.
    pub fn phase(&self, today: NaiveDate) -> RoundPhase {
        if self.closed_on.is_some() {
            RoundPhase::Closed
        } else if today < self.opens_on {
            RoundPhase::Upcoming
        } else if today <= self.closes_on {
            RoundPhase::Open
        } else {
            RoundPhase::Ended
        }
    }

    /// Whether applications are accepted on `today`.
    pub fn accepts_on(&self, today: NaiveDate) -> bool {
        self.phase(today) == RoundPhase::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_round_accepts_from_its_first_to_its_last_day_unless_closed() {
        let mut r = Round {
            id: "R".into(),
            policy: "hubei-2022".into(),
            title: "2026年度".into(),
            opens_on: d("2026-03-01"),
            closes_on: d("2026-04-30"),
            closed_on: None,
        };
        assert_eq!(r.phase(d("2026-02-28")), RoundPhase::Upcoming);
        assert_eq!(r.phase(d("2026-03-01")), RoundPhase::Open, "the first day counts");
        assert_eq!(r.phase(d("2026-04-30")), RoundPhase::Open, "the last day counts");
        assert_eq!(r.phase(d("2026-05-01")), RoundPhase::Ended);
        assert!(r.accepts_on(d("2026-04-01")) && !r.accepts_on(d("2026-05-01")));
        r.closed_on = Some(d("2026-04-10"));
        assert_eq!(r.phase(d("2026-04-01")), RoundPhase::Closed, "closed by command wins");
        assert!(!r.accepts_on(d("2026-04-01")));
    }
}
