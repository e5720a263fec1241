//! 基地 as the world keeps them: by id, with a look-up by the support unit's 统一社会信用代码
//! beside it, so that what the register says of one unit (the submission's eligibility check,
//! 湖北第十二条: one base per unit and domain, one per director) costs that unit's
//! bases, not every base. Only the bases are stored (in a snapshot too, in the same form as
//! before the look-up existed); the look-up is rebuilt when a snapshot is read and followed when
//! an approved major change gives a base another unit code.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::event::EventKind;
use crate::state::Base;

/// The bases, and where to find a unit's.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bases {
    by_id: HashMap<String, Base>,
    /// Base ids by the unit code exactly as each base holds it.
    by_uscc: HashMap<String, BTreeSet<String>>,
}

impl Bases {
    /// Keeps `base` under its id (replacing what had that id).
    pub(crate) fn insert(&mut self, base: Base) {
        if let Some(old) = self.by_id.get(&base.id) {
            let (uscc, id) = (old.uscc.clone(), old.id.clone());
            self.unlist(&uscc, &id);
        }
        self.list(&base.uscc, &base.id);
        self.by_id.insert(base.id.clone(), base);
    }

    /// Folds `event` (of base `id`, dated `on`) into that base, if there is one.
    pub(crate) fn apply(&mut self, id: &str, on: NaiveDate, event: &EventKind) {
        let Some(b) = self.by_id.get_mut(id) else {
            return;
        };
        // Only an approved major change moves a base to another unit code; every other event
        // leaves the look-up as it was, and a replay pays nothing for it.
        if !matches!(event, EventKind::MajorChangeApproved(_)) {
            b.apply(on, event);
            return;
        }
        let before = b.uscc.clone();
        b.apply(on, event);
        if b.uscc != before {
            let after = b.uscc.clone();
            self.unlist(&before, id);
            self.list(&after, id);
        }
    }

    /// The base with this id.
    pub(crate) fn get(&self, id: &str) -> Option<&Base> {
        self.by_id.get(id)
    }

    /// Whether a base has this id.
    pub(crate) fn contains_key(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// Every base, in no particular order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Base> {
        self.by_id.values()
    }

    /// The bases whose unit code is `uscc` exactly, by id.
    pub(crate) fn of_unit<'a>(&'a self, uscc: &str) -> impl Iterator<Item = &'a Base> + 'a {
        self.by_uscc
            .get(uscc)
            .into_iter()
            .flatten()
            .filter_map(|id| self.by_id.get(id))
    }

    /// Takes every base out, leaving none.
    pub(crate) fn take_all(&mut self) -> HashMap<String, Base> {
        self.by_uscc.clear();
        std::mem::take(&mut self.by_id)
    }

    /// Puts bases (back) in; an id already present is replaced.
    pub(crate) fn extend(&mut self, bases: HashMap<String, Base>) {
        if self.by_id.is_empty() {
            self.by_id = bases;
            self.by_uscc.clear();
            for b in self.by_id.values() {
                self.by_uscc.entry(b.uscc.clone()).or_default().insert(b.id.clone());
            }
        } else {
            for (_, b) in bases {
                self.insert(b);
            }
        }
    }

    fn list(&mut self, uscc: &str, id: &str) {
        self.by_uscc.entry(uscc.to_string()).or_default().insert(id.to_string());
    }

    fn unlist(&mut self, uscc: &str, id: &str) {
        if let Some(set) = self.by_uscc.get_mut(uscc) {
            set.remove(id);
            if set.is_empty() {
                self.by_uscc.remove(uscc);
            }
        }
    }
}

/// Two worlds hold the same bases when they hold the same bases by id: the look-up follows from
/// them.
impl PartialEq for Bases {
    fn eq(&self, other: &Bases) -> bool {
        self.by_id == other.by_id
    }
}

impl Serialize for Bases {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.by_id.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Bases {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Bases, D::Error> {
        let mut bases = Bases::default();
        bases.extend(HashMap::deserialize(d)?);
        Ok(bases)
    }
}
