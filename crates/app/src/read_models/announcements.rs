//! 认定命名公告 — the bases named through the procedure, grouped by the day and the policy they
//! were named under (one announcement each), kept up to date as events are folded in like the
//! register, so that the announcements page and the front page read a page of announcements
//! without a look at every base.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use chrono::NaiveDate;
use guohe_domain::{Base, Event, Origin, World};

use crate::public_desk::NamedBase;

/// An announcement's key: the day of naming and the policy.
type Day = (NaiveDate, String);

/// The named bases by announcement (see the module docs).
#[derive(Debug, Default)]
pub struct AnnouncementsView {
    groups: BTreeMap<Day, BTreeSet<NamedBase>>,
    /// Where each named base is listed, to move it when it changes.
    of_base: HashMap<String, (Day, NamedBase)>,
    /// Bases that events concerned since the last sync.
    dirty: BTreeSet<String>,
    /// Rebuild everything at the next sync.
    stale: bool,
}

/// A base as an announcement lists it, and under which announcement; `None` unless it was
/// named through the procedure.
fn listing(b: &Base) -> Option<(Day, NamedBase)> {
    matches!(b.origin, Origin::Named { .. }).then(|| {
        (
            (b.recognised_on, b.policy.clone()),
            (b.id.clone(), b.official_name.clone(), b.unit_name.clone()),
        )
    })
}

impl AnnouncementsView {
    /// An empty view, to be synced.
    pub fn new() -> AnnouncementsView {
        AnnouncementsView {
            stale: true,
            ..AnnouncementsView::default()
        }
    }

    /// Notes an event just folded into `world`: the base it concerns (or the base an
    /// application was named as) is looked at again at the next sync.
    pub fn note(&mut self, world: &World, e: &Event) {
        if self.stale {
            return;
        }
        if let Some(b) = super::base_concerned(world, e) {
            self.dirty.insert(b.to_string());
        }
    }

    /// The world was replaced: the next sync rebuilds the view from it.
    pub fn reset(&mut self) {
        self.stale = true;
        self.dirty.clear();
    }

    /// Brings the view up to date with `world`.
    pub fn sync(&mut self, world: &World) {
        if self.stale {
            *self = AnnouncementsView::default();
            for b in world.bases() {
                self.put(&b.id, listing(b));
            }
            return;
        }
        for id in std::mem::take(&mut self.dirty) {
            self.put(&id, world.base(&id).and_then(listing));
        }
    }

    fn put(&mut self, id: &str, now: Option<(Day, NamedBase)>) {
        if let Some((day, named)) = self.of_base.remove(id)
            && let Some(set) = self.groups.get_mut(&day)
        {
            set.remove(&named);
            if set.is_empty() {
                self.groups.remove(&day);
            }
        }
        if let Some((day, named)) = now {
            self.groups.entry(day.clone()).or_default().insert(named.clone());
            self.of_base.insert(id.to_string(), (day, named));
        }
    }

    /// The announcements made by `today`, newest first (the later policy id first on one day),
    /// each with its bases in order.
    pub fn until(&self, today: NaiveDate) -> impl Iterator<Item = (&Day, &BTreeSet<NamedBase>)> {
        let end = today
            .succ_opt()
            .map_or(Bound::Unbounded, |next| Bound::Excluded((next, String::new())));
        self.groups.range((Bound::Unbounded, end)).rev()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn named(id: &str, name: &str) -> NamedBase {
        (id.into(), name.into(), "长沙大学".into())
    }

    fn days(v: &AnnouncementsView, today: &str) -> Vec<(Day, Vec<String>)> {
        v.until(d(today))
            .map(|(day, bases)| (day.clone(), bases.iter().map(|b| b.1.clone()).collect()))
            .collect()
    }

    #[test]
    fn a_base_moves_between_announcements_and_leaves_them_when_it_is_no_longer_named() {
        let mut v = AnnouncementsView::default();
        let hn = |on: &str| (d(on), "hunan-2026".to_string());
        v.put("B1", Some((hn("2026-03-02"), named("B1", "甲基地"))));
        v.put("B2", Some((hn("2026-03-02"), named("B2", "乙基地"))));
        v.put(
            "B3",
            Some(((d("2026-03-02"), "hubei-2022".into()), named("B3", "丙基地"))),
        );
        v.put("B4", Some((hn("2026-09-01"), named("B4", "丁基地"))));
        // Newest first; on one day the later policy id first; a day after `today` not yet.
        assert_eq!(
            days(&v, "2026-08-31"),
            [
                (hn("2026-03-02"), vec!["甲基地".to_string(), "乙基地".to_string()]),
                ((d("2026-03-02"), "hubei-2022".into()), vec!["丙基地".to_string()]),
            ]
        );
        assert_eq!(days(&v, "2026-09-01")[0].0, hn("2026-09-01"));
        assert!(days(&v, "2026-03-01").is_empty());
        // A rename moves the base within its announcement; a change of day moves it to another.
        v.put("B1", Some((hn("2026-03-02"), named("B1", "戊基地"))));
        v.put("B2", Some((hn("2026-09-01"), named("B2", "乙基地"))));
        // Within an announcement, the bases go by id (B2 before B4).
        assert_eq!(days(&v, "2026-12-31")[0].1, ["乙基地", "丁基地"]);
        assert_eq!(days(&v, "2026-12-31")[1].1, ["戊基地"]);
        // No longer listed: an emptied announcement goes.
        v.put("B3", None);
        v.put("B9", None);
        assert_eq!(days(&v, "2026-12-31").len(), 2);
        assert_eq!(v.of_base.len(), 3);
        let last_day = v.until(NaiveDate::MAX).map(|(day, _)| day.0).collect::<Vec<_>>();
        assert_eq!(last_day.len(), 2, "the last date there is");
    }
}
