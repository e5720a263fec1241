//! The world's two large maps — the bases and the applications — taken out and put back, so that
//! a snapshot can encode and decode them in shares on several threads while the rest of the
//! world travels as one piece.

use std::collections::HashMap;

use crate::state::{ApplicationCase, Base, World};

/// The bases and the applications, taken out of a [`World`].
#[derive(Debug, Default)]
pub struct LargeMaps {
    /// 基地 by id.
    pub bases: HashMap<String, Base>,
    /// 申报 by id.
    pub applications: HashMap<String, ApplicationCase>,
}

impl World {
    /// Takes the bases and the applications out; the world keeps everything else.
    pub fn take_large_maps(&mut self) -> LargeMaps {
        LargeMaps {
            bases: self.bases.take_all(),
            applications: std::mem::take(&mut self.applications),
        }
    }

    /// Puts bases and applications (back) in. An id already present is replaced, as folding the
    /// same case again would.
    pub fn put_large_maps(&mut self, maps: LargeMaps) {
        self.bases.extend(maps.bases);
        if self.applications.is_empty() {
            self.applications = maps.applications;
        } else {
            self.applications.extend(maps.applications);
        }
    }
}
