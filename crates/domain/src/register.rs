//! 登记簿 — the register of bases as of any date.

use chrono::NaiveDate;
use guohe_policy::{Application, Policy, RegistryFacts};
use serde::Serialize;

use crate::state::{Base, BaseStatus, World};

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

/// The register facts the eligibility rules read for an application of `facts`'s unit, domain
/// and director under `policy`, as of `as_of`: whether the unit already holds a base in the
/// domain, whether the director already heads one, and until when the unit is banned in the
/// policy's province (bans still running on `as_of`). They come from the world, never from the
/// applicant: the submission (`handle`) and the instant check (`Guohe::registry_facts`) both
/// read them here, from the world's look-up of the unit's own bases (the cost is the unit's
/// bases, not the register's).
pub fn registry_facts(world: &World, policy: &Policy, facts: &Application, as_of: NaiveDate) -> RegistryFacts {
    registry_facts_among(world, world.bases.of_unit(facts.unit.uscc.trim()), policy, facts, as_of)
}

/// [`registry_facts`] looking only at the bases in `candidates`, which must hold every base of
/// the unit (any set that does gives the same answer: the unit is matched here); given every
/// base, it is the reading by a scan that the look-up is held to.
pub fn registry_facts_among<'a>(
    world: &World,
    candidates: impl IntoIterator<Item = &'a Base>,
    policy: &Policy,
    facts: &Application,
    as_of: NaiveDate,
) -> RegistryFacts {
    let uscc = facts.unit.uscc.trim();
    let domain = facts.technology_domain.trim();
    let director = facts.director.name.trim();
    let mut r = RegistryFacts::default();
    for b in candidates
        .into_iter()
        .filter(|b| b.status.on_register() && b.uscc == uscc)
    {
        r.unit_holds_base_in_domain |= b.domain.trim() == domain;
        r.director_heads_base |= b.director.trim() == director;
    }
    r.unit_banned_until = world
        .bans_of(uscc)
        .iter()
        .filter(|b| b.province == policy.province.code)
        .filter(|b| b.domain.as_deref().is_none_or(|d| d == domain))
        .map(|b| b.until)
        .filter(|u| *u > as_of)
        .max();
    r
}
