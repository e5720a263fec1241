//! 登记簿 — the register of bases as of any date.

use chrono::NaiveDate;
use serde::Serialize;

use crate::state::{BaseStatus, World};

/// One base on the register on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegisterEntry {
    /// Base id.
    pub base: String,
    /// Policy id.
    pub policy: String,
    /// Official name (as it stands now; renamings are not dated).
    pub official_name: String,
    /// Support unit.
    pub unit_name: String,
    /// Support unit USCC.
    pub uscc: String,
    /// Technology domain.
    pub domain: String,
    /// Category code.
    pub category: Option<String>,
    /// Director.
    pub director: String,
    /// Primary partner country.
    pub partner_country: Option<String>,
    /// Named or recognised on.
    pub recognised_on: NaiveDate,
    /// Status on the date.
    pub status: BaseStatus,
}

/// The bases on the register (active or under rectification) on `as_of`, by base id.
pub fn register(world: &World, as_of: NaiveDate) -> Vec<RegisterEntry> {
    let mut out: Vec<RegisterEntry> = world
        .bases
        .values()
        .filter_map(|b| {
            let status = b.status_on(as_of)?;
            status.on_register().then(|| RegisterEntry {
                base: b.id.clone(),
                policy: b.policy.clone(),
                official_name: b.official_name.clone(),
                unit_name: b.unit_name.clone(),
                uscc: b.uscc.clone(),
                domain: b.domain.clone(),
                category: b.category.clone(),
                director: b.director.clone(),
                partner_country: b.partner_country.clone(),
                recognised_on: b.recognised_on,
                status,
            })
        })
        .collect();
    out.sort_by(|a, b| a.base.cmp(&b.base));
    out
}
