//! 基地名录视图 — the register of bases as a view kept up to date while events are folded in:
//! one row per base, indexes by policy, category, domain, country, region, status and year, and
//! the rows pre-sorted by every sort key of the register page and the API.
//!
//! The view is maintained by the application service only: [`RegisterView::note`] is called for
//! every event folded into the world, [`RegisterView::sync`] once the fold is over (it rebuilds the
//! rows the events concerned, or the whole view when many did), [`RegisterView::reset`] when the
//! world is replaced (a snapshot, a rebuild). Statuses depend on the date ([`Base::status_on`]): the
//! view holds them as of one date, and [`RegisterView::set_date`] moves it, re-sorting the few rows
//! whose status differs on the new date.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use guohe_domain::{Base, BaseStatus, Event, World};

use super::units::UnitNameIndex;
pub use crate::stats::status_code;
use crate::stats::{base_division, prefecture_of};

/// A base's status on `date` as the register shows it: from its history, or its current status
/// before it was recognised; and whether it was recognised by then.
pub fn status_at(b: &Base, date: NaiveDate) -> (BaseStatus, bool) {
    match b.status_on(date) {
        Some(s) => (s, true),
        None => (b.status, false),
    }
}

/// One base as the register lists it, on the view's date.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterRow {
    /// Base id.
    pub id: String,
    /// Official name.
    pub name: String,
    /// Support unit.
    pub unit: String,
    /// Policy id.
    pub policy: String,
    /// Category code.
    pub category: Option<String>,
    /// Technology domain.
    pub domain: String,
    /// Partner country (ISO code).
    pub country: Option<String>,
    /// Prefecture-level division code of the unit, empty when unknown.
    pub region: String,
    /// Named or recognised on.
    pub recognised_on: NaiveDate,
    /// Director.
    pub director: String,
    /// Status on the view's date (the current one before recognition).
    pub status: BaseStatus,
    /// Whether the base was recognised by the view's date.
    pub recognised: bool,
    /// The partner country's name in Chinese and in English (the page sorts by them).
    pub(crate) country_names: [String; 2],
    /// Name, unit and domain in lower case, for the search.
    pub(crate) search: [String; 3],
    /// The support unit's 统一社会信用代码 as the unit index holds it ([`super::unit_key`]).
    pub(crate) unit_key: String,
    /// The unit's full division code (GB/T 2260, as a recommender's jurisdiction reads it),
    /// empty when unknown.
    pub(crate) division: String,
}

fn country_name(code: Option<&str>, english: bool) -> String {
    match code.and_then(guohe_reference::country::lookup) {
        Some(c) if english => c.name_en.to_string(),
        Some(c) => c.name_zh.to_string(),
        None => code.unwrap_or("").to_string(),
    }
}

impl RegisterRow {
    /// The row of a base on a date.
    pub fn of(world: &World, b: &Base, date: NaiveDate) -> RegisterRow {
        let (status, recognised) = status_at(b, date);
        let division = base_division(world, b);
        RegisterRow {
            id: b.id.clone(),
            name: b.official_name.clone(),
            unit: b.unit_name.clone(),
            policy: b.policy.clone(),
            category: b.category.clone(),
            domain: b.domain.clone(),
            country: b.partner_country.clone(),
            region: division
                .as_deref()
                .and_then(|c| prefecture_of(c).map(|p| p.code.to_string()))
                .unwrap_or_default(),
            recognised_on: b.recognised_on,
            director: b.director.clone(),
            status,
            recognised,
            country_names: [
                country_name(b.partner_country.as_deref(), false),
                country_name(b.partner_country.as_deref(), true),
            ],
            search: [
                b.official_name.to_lowercase(),
                b.unit_name.to_lowercase(),
                b.domain.to_lowercase(),
            ],
            unit_key: super::unit_key(&b.uscc),
            division: division.unwrap_or_default(),
        }
    }

    /// The status code (`active`, `rectification`, …).
    pub fn status_code(&self) -> &'static str {
        status_code(self.status)
    }

    /// The partner country's name (Chinese or English), the code when unknown, empty when none.
    pub fn country_name(&self, english: bool) -> &str {
        &self.country_names[usize::from(english)]
    }
}

/// What the register sorts by; every key ends ties by base id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Official name.
    #[default]
    Name,
    /// Support unit.
    Unit,
    /// Technology domain.
    Domain,
    /// Partner country code.
    Country,
    /// Partner country's Chinese name.
    CountryZh,
    /// Partner country's English name.
    CountryEn,
    /// Prefecture code.
    Region,
    /// Status code.
    Status,
    /// Recognition date.
    Recognised,
    /// Base id.
    Id,
}

impl SortKey {
    /// Every key, in the order of the view's pre-sorted lists.
    pub const ALL: [SortKey; 10] = [
        SortKey::Name,
        SortKey::Unit,
        SortKey::Domain,
        SortKey::Country,
        SortKey::CountryZh,
        SortKey::CountryEn,
        SortKey::Region,
        SortKey::Status,
        SortKey::Recognised,
        SortKey::Id,
    ];

    fn slot(self) -> usize {
        self as usize
    }

    /// Compares the key alone.
    fn cmp_key(self, a: &RegisterRow, b: &RegisterRow) -> Ordering {
        match self {
            SortKey::Name => a.name.cmp(&b.name),
            SortKey::Unit => a.unit.cmp(&b.unit),
            SortKey::Domain => a.domain.cmp(&b.domain),
            SortKey::Country => a
                .country
                .as_deref()
                .unwrap_or("")
                .cmp(b.country.as_deref().unwrap_or("")),
            SortKey::CountryZh => a.country_names[0].cmp(&b.country_names[0]),
            SortKey::CountryEn => a.country_names[1].cmp(&b.country_names[1]),
            SortKey::Region => a.region.cmp(&b.region),
            SortKey::Status => a.status_code().cmp(b.status_code()),
            SortKey::Recognised => a.recognised_on.cmp(&b.recognised_on),
            SortKey::Id => Ordering::Equal,
        }
    }

    /// The register's order: the key, then the base id.
    pub fn cmp(self, a: &RegisterRow, b: &RegisterRow) -> Ordering {
        self.cmp_key(a, b).then_with(|| a.id.cmp(&b.id))
    }
}

/// Row numbers by a field's value.
pub(crate) type Index<K> = BTreeMap<K, BTreeSet<u32>>;

fn index_add<K: Ord>(ix: &mut Index<K>, k: K, i: u32) {
    ix.entry(k).or_default().insert(i);
}

fn index_del<K: Ord>(ix: &mut Index<K>, k: &K, i: u32) {
    if let Some(set) = ix.get_mut(k) {
        set.remove(&i);
        if set.is_empty() {
            ix.remove(k);
        }
    }
}

/// How many technology domains the register's filter offers (the most common ones).
pub const MAX_DOMAIN_CHOICES: usize = 200;

/// The register as a view (see the module docs).
#[derive(Debug, Clone)]
pub struct RegisterView {
    pub(crate) date: NaiveDate,
    pub(crate) rows: Vec<RegisterRow>,
    by_id: HashMap<String, u32>,
    /// Row numbers sorted by each [`SortKey`] (in [`SortKey::ALL`] order), ascending.
    pub(crate) orders: Vec<Vec<u32>>,
    pub(crate) by_policy: Index<String>,
    pub(crate) by_category: Index<String>,
    pub(crate) by_domain: Index<String>,
    pub(crate) by_country: Index<String>,
    pub(crate) by_region: Index<String>,
    pub(crate) by_status: Index<&'static str>,
    pub(crate) by_year: Index<i32>,
    /// Rows by support unit ([`super::unit_key`]): a unit's own bases without a look at the rest.
    pub(crate) by_unit: Index<String>,
    /// Rows by the characters of their unit's name, for the search by name.
    pub(crate) unit_names: UnitNameIndex,
    /// Rows by the unit's full division code, so that a jurisdiction's prefix is one run.
    by_division: Index<String>,
    /// Rows not yet recognised on the view's date (the API leaves them out).
    pub(crate) unrecognised: BTreeSet<u32>,
    /// Bases by (policy, status code) on the view's date.
    counts: BTreeMap<(String, &'static str), usize>,
    /// The most common domains, most common first (ties by name).
    top_domains: Vec<String>,
    domains_changed: bool,
    /// Bases that events concerned since the last sync.
    dirty: BTreeSet<String>,
    /// The world was replaced: rebuild everything at the next sync.
    stale: bool,
}

impl RegisterView {
    /// An empty view with statuses as of `date`.
    pub fn new(date: NaiveDate) -> RegisterView {
        RegisterView {
            date,
            rows: Vec::new(),
            by_id: HashMap::new(),
            orders: vec![Vec::new(); SortKey::ALL.len()],
            by_policy: Index::new(),
            by_category: Index::new(),
            by_domain: Index::new(),
            by_country: Index::new(),
            by_region: Index::new(),
            by_status: Index::new(),
            by_year: Index::new(),
            by_unit: Index::new(),
            unit_names: UnitNameIndex::default(),
            by_division: Index::new(),
            unrecognised: BTreeSet::new(),
            counts: BTreeMap::new(),
            top_domains: Vec::new(),
            domains_changed: false,
            dirty: BTreeSet::new(),
            stale: false,
        }
    }

    /// A full view of `world` as of `date`.
    pub fn build(world: &World, date: NaiveDate) -> RegisterView {
        let mut v = RegisterView::new(date);
        v.rebuild(world);
        v
    }

    /// The date the statuses hold on.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// How many bases the register holds (whatever their status).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the register is empty.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Bases by (policy, status code) on the view's date.
    pub fn counts(&self) -> &BTreeMap<(String, &'static str), usize> {
        &self.counts
    }

    /// The most common technology domains, most common first, at most [`MAX_DOMAIN_CHOICES`].
    pub fn top_domains(&self) -> &[String] {
        &self.top_domains
    }

    /// The row of a base.
    pub fn row(&self, id: &str) -> Option<&RegisterRow> {
        self.by_id.get(id).map(|&i| &self.rows[i as usize])
    }

    /// The ids of the bases whose support unit is `uscc` (compared as [`super::unit_key`]
    /// does), by id: the cost is the unit's own bases.
    pub fn of_unit(&self, uscc: &str) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .by_unit
            .get(&super::unit_key(uscc))
            .into_iter()
            .flatten()
            .map(|&i| self.rows[i as usize].id.as_str())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// 辖区 — the ids of the bases a recommender's jurisdiction may cover, by id, each once:
    /// those whose unit's division code starts with one of `region_prefixes` (an empty prefix
    /// covers nothing) and those of the units listed in `units`. The cost is theirs, not the
    /// register's.
    pub fn covered(&self, region_prefixes: &[String], units: &[String]) -> Vec<&str> {
        let mut rows: BTreeSet<u32> = BTreeSet::new();
        for prefix in region_prefixes.iter().filter(|p| !p.is_empty()) {
            let run = self
                .by_division
                .range::<String, _>(prefix..)
                .take_while(|(code, _)| code.starts_with(prefix.as_str()));
            rows.extend(run.flat_map(|(_, set)| set.iter().copied()));
        }
        for u in units {
            rows.extend(self.by_unit.get(&super::unit_key(u)).into_iter().flatten().copied());
        }
        let mut ids: Vec<&str> = rows.into_iter().map(|i| self.rows[i as usize].id.as_str()).collect();
        ids.sort_unstable();
        ids
    }

    /// Notes an event just folded into `world`: the base it concerns is looked at again at the
    /// next [`RegisterView::sync`]. An event on an application concerns the base it was named
    /// as (the base's region comes from the application).
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

    /// Brings the view up to date with `world` after the events noted.
    pub fn sync(&mut self, world: &World) {
        if self.stale || too_many(self.dirty.len(), self.rows.len()) {
            self.rebuild(world);
            return;
        }
        for id in std::mem::take(&mut self.dirty) {
            if let Some(b) = world.base(&id) {
                self.put(RegisterRow::of(world, b, self.date));
            }
        }
        self.refresh_top_domains();
    }

    /// Moves the view's date: rows whose status differs on `date` are re-indexed and re-sorted.
    pub fn set_date(&mut self, world: &World, date: NaiveDate) {
        self.sync(world);
        if date == self.date {
            return;
        }
        self.date = date;
        let changed: Vec<(u32, BaseStatus, bool)> = self
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let (s, rec) = status_at(world.base(&r.id)?, date);
                (s != r.status || rec != r.recognised).then_some((i as u32, s, rec))
            })
            .collect();
        if too_many(changed.len(), self.rows.len()) {
            self.rebuild(world);
            return;
        }
        for (i, status, recognised) in changed {
            let row = RegisterRow {
                status,
                recognised,
                ..self.rows[i as usize].clone()
            };
            self.replace(i, row);
        }
    }

    /// Builds the view again from every base. This is the last step of a start-up by full
    /// replay (about a fifth of it at 90,000 bases), run when the log's reading thread has
    /// finished: above [`PARALLEL_FROM`] bases the rows, and then the orders, are built on two
    /// threads.
    fn rebuild(&mut self, world: &World) {
        let date = self.date;
        let mut bases: Vec<&Base> = world.bases().collect();
        bases.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let parallel = bases.len() >= PARALLEL_FROM;
        let (head, tail) = bases.split_at(if parallel { bases.len() / 2 } else { bases.len() });
        let rows_of =
            |part: &[&Base]| -> Vec<RegisterRow> { part.iter().map(|b| RegisterRow::of(world, b, date)).collect() };
        let (mut rows, rest) = both(parallel, || rows_of(head), || rows_of(tail));
        rows.extend(rest);
        let mut view = RegisterView::new(date);
        // The orders of the first keys are sorted on the second thread while this one sorts
        // the last and links the filters' indexes.
        let (first, last) = SortKey::ALL.split_at(6);
        let sorted = |keys: &[SortKey]| -> Vec<Vec<u32>> {
            keys.iter()
                .map(|key| {
                    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
                    order.sort_unstable_by(|&a, &b| key.cmp(&rows[a as usize], &rows[b as usize]));
                    order
                })
                .collect()
        };
        let (of_first, of_last) = both(
            parallel,
            || sorted(first),
            || {
                for (i, r) in rows.iter().enumerate() {
                    view.by_id.insert(r.id.clone(), i as u32);
                    view.link(i as u32, r);
                }
                sorted(last)
            },
        );
        for (key, order) in first.iter().chain(last).zip(of_first.into_iter().chain(of_last)) {
            view.orders[key.slot()] = order;
        }
        view.rows = rows;
        *self = view;
        self.refresh_top_domains();
    }

    /// Adds or replaces a base's row.
    fn put(&mut self, row: RegisterRow) {
        match self.by_id.get(&row.id) {
            Some(&i) if self.rows[i as usize] == row => {}
            Some(&i) => self.replace(i, row),
            None => {
                let i = self.rows.len() as u32;
                self.by_id.insert(row.id.clone(), i);
                self.rows.push(row);
                self.link_indexes(i);
                for key in SortKey::ALL {
                    self.insert_sorted(key, i);
                }
            }
        }
    }

    fn replace(&mut self, i: u32, row: RegisterRow) {
        self.unlink_indexes(i);
        let moved: Vec<SortKey> = SortKey::ALL
            .into_iter()
            .filter(|k| k.cmp_key(&self.rows[i as usize], &row) != Ordering::Equal)
            .collect();
        for &key in &moved {
            let rows = &self.rows;
            let order = &mut self.orders[key.slot()];
            let target = &rows[i as usize];
            if let Ok(p) = order.binary_search_by(|&x| key.cmp(&rows[x as usize], target)) {
                order.remove(p);
            }
        }
        self.rows[i as usize] = row;
        self.link_indexes(i);
        for key in moved {
            self.insert_sorted(key, i);
        }
    }

    fn insert_sorted(&mut self, key: SortKey, i: u32) {
        let rows = &self.rows;
        let order = &mut self.orders[key.slot()];
        let target = &rows[i as usize];
        if let Err(p) = order.binary_search_by(|&x| key.cmp(&rows[x as usize], target)) {
            order.insert(p, i);
        }
    }

    fn link_indexes(&mut self, i: u32) {
        let rows = std::mem::take(&mut self.rows);
        self.link(i, &rows[i as usize]);
        self.rows = rows;
    }

    /// Adds row `i`, which is `r`, to the filters' indexes and the counts.
    fn link(&mut self, i: u32, r: &RegisterRow) {
        index_add(&mut self.by_policy, r.policy.clone(), i);
        if let Some(c) = &r.category {
            index_add(&mut self.by_category, c.clone(), i);
        }
        index_add(&mut self.by_domain, r.domain.clone(), i);
        if let Some(c) = &r.country {
            index_add(&mut self.by_country, c.clone(), i);
        }
        index_add(&mut self.by_region, r.region.clone(), i);
        index_add(&mut self.by_status, r.status_code(), i);
        index_add(&mut self.by_year, r.recognised_on.year(), i);
        index_add(&mut self.by_unit, r.unit_key.clone(), i);
        self.unit_names.add(i, &r.search[1]);
        index_add(&mut self.by_division, r.division.clone(), i);
        if !r.recognised {
            self.unrecognised.insert(i);
        }
        *self.counts.entry((r.policy.clone(), r.status_code())).or_default() += 1;
        self.domains_changed = true;
    }

    fn unlink_indexes(&mut self, i: u32) {
        let r = &self.rows[i as usize];
        index_del(&mut self.by_policy, &r.policy, i);
        if let Some(c) = &r.category {
            index_del(&mut self.by_category, c, i);
        }
        index_del(&mut self.by_domain, &r.domain, i);
        if let Some(c) = &r.country {
            index_del(&mut self.by_country, c, i);
        }
        index_del(&mut self.by_region, &r.region, i);
        index_del(&mut self.by_status, &r.status_code(), i);
        index_del(&mut self.by_year, &r.recognised_on.year(), i);
        index_del(&mut self.by_unit, &r.unit_key, i);
        self.unit_names.remove(i, &r.search[1]);
        index_del(&mut self.by_division, &r.division, i);
        self.unrecognised.remove(&i);
        let key = (r.policy.clone(), r.status_code());
        if let Some(n) = self.counts.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                self.counts.remove(&key);
            }
        }
        self.domains_changed = true;
    }

    fn refresh_top_domains(&mut self) {
        if !self.domains_changed {
            return;
        }
        let mut by_count: Vec<(&String, usize)> = self.by_domain.iter().map(|(d, s)| (d, s.len())).collect();
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        by_count.truncate(MAX_DOMAIN_CHOICES);
        self.top_domains = by_count.into_iter().map(|(d, _)| d.clone()).collect();
        self.domains_changed = false;
    }
}

/// Bases from which a rebuild runs on two threads (below, a thread costs more than it saves).
/// The tests' worlds are small: there it is low, so that they compare the two-thread path too.
const PARALLEL_FROM: usize = if cfg!(test) { 8 } else { 4_096 };

/// `a()` and `b()`: on two threads when `parallel` (`a` on a new one), else one after the other.
/// A panic in either is raised again here.
fn both<A: Send, B>(parallel: bool, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if !parallel {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let other = s.spawn(a);
        let mine = b();
        match other.join() {
            Ok(theirs) => (theirs, mine),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Whether re-sorting `k` rows one by one costs more than sorting all `n` again.
fn too_many(k: usize, n: usize) -> bool {
    k > 64.max(n / 256)
}
