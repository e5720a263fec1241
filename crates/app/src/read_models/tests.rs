//! The register view answers as the full scan over the world did, on generated registers, for
//! many filters, sorts and pages, while bases are added and change status event by event and
//! while the date moves.

use chrono::NaiveDate;
use guohe_domain::{
    BaseCarriedOver, BaseReclassified, BaseRevoked, BaseTerminated, Event, EventKind, RectificationCompleted,
    RectificationOrdered, World,
};

use super::*;
use crate::stats::{base_division, prefecture_of};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A small deterministic generator (xorshift), so that failures repeat.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const NAMES: &[&str] = &[
    "湖南省甲基地",
    "湖北省乙基地",
    "Alpha Base",
    "alpha base",
    "生物医药基地",
];
const UNITS: &[&str] = &["长沙大学", "武汉研究院", "Beta Ltd", "某某公司"];
const DOMAINS: &[&str] = &["生物医药", "新材料", "Energy", "energy", "智能装备"];
const COUNTRIES: &[&str] = &["", "DE", "FR", "RU", "ZZ", "JP"];
const REGIONS: &[&str] = &["430100", "430200", "420100", "420500", "110000", "439001"];
const CATEGORIES: &[&str] = &["", "joint_research", "technology_transfer", "distinctive"];
const POLICIES: &[&str] = &["hunan-2026", "hubei-2022"];

fn event(stream: String, on: NaiveDate, kind: EventKind) -> Event {
    Event {
        stream,
        on,
        actor: "dept:test".into(),
        articles: Vec::new(),
        kind,
    }
}

/// Events that carry a new base over, or change an existing one's status or category.
fn random_event(r: &mut Rng, w: &World, n: usize) -> Event {
    let on = d("2026-01-01") + chrono::Days::new(r.below(1000) as u64);
    let existing: Vec<String> = w.bases().map(|b| b.id.clone()).collect();
    if existing.is_empty() || r.below(3) > 0 {
        let id = format!("B{:05}", r.below(100_000));
        let country = r.pick(COUNTRIES);
        let category = r.pick(CATEGORIES);
        let recognised = d("2015-01-01") + chrono::Days::new(r.below(4800) as u64);
        return event(
            format!("base/{id}"),
            on,
            EventKind::BaseCarriedOver(BaseCarriedOver {
                base: id,
                policy: r.pick(POLICIES).into(),
                official_name: format!("{}{}", r.pick(NAMES), r.below(3)),
                unit_name: r.pick(UNITS).into(),
                uscc: crate::generate::facts::complete_uscc(&format!("91{}MB{n:06}", r.pick(REGIONS))),
                domain: r.pick(DOMAINS).into(),
                old_category: None,
                category: (!category.is_empty()).then(|| category.to_string()),
                director: "张三".into(),
                partner_country: (!country.is_empty()).then(|| country.to_string()),
                recognised_on: recognised,
                national: false,
                legacy: false,
                evaluated: true,
                evaluation_anchor: recognised,
            }),
        );
    }
    let base = existing[r.below(existing.len())].clone();
    let stream = format!("base/{base}");
    let kind = match r.below(5) {
        0 => EventKind::RectificationOrdered(RectificationOrdered {
            base,
            consequence: "c".into(),
            from: on,
            until: on + chrono::Days::new(180),
        }),
        1 => EventKind::RectificationCompleted(RectificationCompleted {
            base,
            grade: "pass".into(),
        }),
        2 => EventKind::BaseTerminated(BaseTerminated {
            base,
            consequence: "c".into(),
            effective_on: on,
        }),
        3 => EventKind::BaseRevoked(BaseRevoked {
            base,
            consequence: "c".into(),
            effective_on: on,
        }),
        _ => EventKind::BaseReclassified(BaseReclassified {
            base,
            from: None,
            to: r.pick(&CATEGORIES[1..]).into(),
            reasons: "test".into(),
        }),
    };
    event(stream, on, kind)
}

/// The register as the pages and the API computed it before the view: every base of the world,
/// filtered and sorted by its own fields.
fn full_scan(w: &World, q: &RegisterQuery, date: NaiveDate) -> (usize, Vec<String>) {
    let needle = q.text.to_lowercase();
    let mut rows: Vec<_> = w
        .bases()
        .filter_map(|b| {
            let status = status_code(b.status_on(date).unwrap_or(b.status));
            let region = base_division(w, b)
                .and_then(|r| prefecture_of(&r).map(|p| p.code.to_string()))
                .unwrap_or_default();
            let ok = (needle.is_empty()
                || b.official_name.to_lowercase().contains(&needle)
                || b.unit_name.to_lowercase().contains(&needle)
                || b.domain.to_lowercase().contains(&needle))
                && q.policies.as_ref().is_none_or(|p| p.contains(&b.policy))
                && q.category.as_ref().is_none_or(|c| b.category.as_ref() == Some(c))
                && q.domain.as_ref().is_none_or(|x| &b.domain == x)
                && q.country.as_ref().is_none_or(|c| b.partner_country.as_ref() == Some(c))
                && q.region
                    .as_ref()
                    .is_none_or(|f| region.starts_with(&f.prefix) && (f.with_unknown || !region.is_empty()))
                && q.statuses.as_ref().is_none_or(|s| s.iter().any(|s| s == status))
                && q.year.is_none_or(|y| chrono::Datelike::year(&b.recognised_on) == y)
                && (!q.recognised_only || b.status_on(date).is_some());
            ok.then_some((b, status, region))
        })
        .collect();
    let country = |b: &guohe_domain::Base, english: bool| -> String {
        match b.partner_country.as_deref() {
            Some(c) => match guohe_reference::country::lookup(c) {
                Some(x) if english => x.name_en.to_string(),
                Some(x) => x.name_zh.to_string(),
                None => c.to_string(),
            },
            None => String::new(),
        }
    };
    rows.sort_by_cached_key(|(b, status, region)| {
        let key = match q.sort {
            SortKey::Name => b.official_name.clone(),
            SortKey::Unit => b.unit_name.clone(),
            SortKey::Domain => b.domain.clone(),
            SortKey::Country => b.partner_country.clone().unwrap_or_default(),
            SortKey::CountryZh => country(b, false),
            SortKey::CountryEn => country(b, true),
            SortKey::Region => region.clone(),
            SortKey::Status => status.to_string(),
            SortKey::Recognised => b.recognised_on.to_string(),
            SortKey::Id => String::new(),
        };
        (key, b.id.clone())
    });
    if q.desc {
        rows.reverse();
    }
    let total = rows.len();
    let ids = rows.into_iter().map(|(b, _, _)| b.id.clone());
    let ids = match q.per_page {
        None => ids.collect(),
        Some(size) => {
            let page = if q.clamp_page {
                q.page.clamp(1, total.div_ceil(size).max(1))
            } else {
                q.page.max(1)
            };
            ids.skip((page - 1) * size).take(size).collect()
        }
    };
    (total, ids)
}

fn some(r: &mut Rng, xs: &[&str]) -> Option<String> {
    (r.below(3) == 0).then(|| r.pick(xs).to_string())
}

fn random_query(r: &mut Rng) -> RegisterQuery {
    let sort = SortKey::ALL[r.below(SortKey::ALL.len())];
    RegisterQuery {
        text: if r.below(4) == 0 {
            r.pick(&["alpha", "基地", "ENERGY", "长沙", "nothing"]).into()
        } else {
            String::new()
        },
        policies: (r.below(3) == 0).then(|| vec![r.pick(POLICIES).to_string()]),
        category: some(r, &CATEGORIES[1..]),
        domain: some(r, DOMAINS),
        country: some(r, &COUNTRIES[1..]),
        region: (r.below(4) == 0).then(|| RegionFilter {
            prefix: r.pick(&["43", "4301", "42", "", "9"]).into(),
            with_unknown: r.below(2) == 0,
        }),
        statuses: (r.below(3) == 0).then(|| {
            status_codes(r.pick(&[
                "on_register",
                "active",
                "rectification",
                "terminated",
                "revoked",
                "nope",
            ]))
        }),
        year: (r.below(6) == 0).then(|| 2015 + r.below(14) as i32),
        recognised_only: r.below(2) == 0,
        sort,
        desc: r.below(2) == 0,
        page: 1 + r.below(6),
        per_page: [Some(1), Some(3), Some(20), None][r.below(4)],
        clamp_page: r.below(2) == 0,
    }
}

/// Each pre-sorted list as base ids (row numbers differ between a view kept up to date and one
/// built at once).
fn sorted_ids(v: &RegisterView) -> Vec<Vec<String>> {
    v.orders
        .iter()
        .map(|o| o.iter().map(|&i| v.rows[i as usize].id.clone()).collect())
        .collect()
}

fn check(view: &RegisterView, w: &World, r: &mut Rng, queries: usize) {
    for _ in 0..queries {
        let q = random_query(r);
        let (total, ids) = full_scan(w, &q, view.date());
        let page = view.query(&q);
        let got: Vec<String> = page.rows.iter().map(|r| r.id.clone()).collect();
        assert_eq!((page.total, &got), (total, &ids), "query {q:?}");
        let scanned = query::scan(&rows_at(w, view.date()), &q);
        assert_eq!(scanned, page, "scan differs for {q:?}");
    }
}

#[test]
fn the_view_answers_as_the_full_scan_while_events_are_folded_in() {
    for seed in 1..=6u64 {
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut w = World::new();
        let mut view = RegisterView::new(d("2027-06-30"));
        for n in 0..400 {
            let e = random_event(&mut r, &w, n);
            w.apply(&e);
            view.note(&w, &e);
            // Sometimes several events are folded before a sync, as a batch or a catch-up does.
            if r.below(3) == 0 {
                view.sync(&w);
                if n % 40 == 0 {
                    check(&view, &w, &mut r, 20);
                }
            }
        }
        view.sync(&w);
        check(&view, &w, &mut r, 300);
        assert_eq!(view.len(), w.bases().count());
        // The same view built at once holds the same rows in the same orders.
        let built = RegisterView::build(&w, view.date());
        assert_eq!(sorted_ids(&built), sorted_ids(&view), "seed {seed}");
    }
}

#[test]
fn moving_the_date_changes_statuses_and_keeps_the_orders() {
    let mut r = Rng(42);
    let mut w = World::new();
    let mut view = RegisterView::new(d("2026-01-01"));
    for n in 0..600 {
        let e = random_event(&mut r, &w, n);
        w.apply(&e);
        view.note(&w, &e);
    }
    view.sync(&w);
    for date in [
        "2026-03-01",
        "2026-03-02",
        "2027-01-01",
        "2025-06-01",
        "2028-12-31",
        "2014-01-01",
    ] {
        view.set_date(&w, d(date));
        assert_eq!(view.date(), d(date));
        check(&view, &w, &mut r, 60);
        let built = RegisterView::build(&w, d(date));
        assert_eq!(sorted_ids(&built), sorted_ids(&view), "{date}");
        assert_eq!(built.counts(), view.counts(), "{date}");
    }
}

#[test]
fn counts_and_choices_follow_the_bases() {
    let mut r = Rng(7);
    let mut w = World::new();
    let mut view = RegisterView::new(d("2027-01-01"));
    for n in 0..300 {
        let e = random_event(&mut r, &w, n);
        w.apply(&e);
        view.note(&w, &e);
        view.sync(&w);
    }
    let mut counts = BTreeMap::new();
    for b in w.bases() {
        let (s, _) = status_at(b, view.date());
        *counts.entry((b.policy.clone(), status_code(s))).or_insert(0usize) += 1;
    }
    assert_eq!(view.counts(), &counts);
    let c = view.choices();
    let mut countries: Vec<String> = w.bases().filter_map(|b| b.partner_country.clone()).collect();
    countries.sort();
    countries.dedup();
    assert_eq!(c.countries, countries);
    let mut domains: Vec<String> = w.bases().map(|b| b.domain.clone()).collect();
    domains.sort();
    domains.dedup();
    let mut got = c.domains.clone();
    got.sort();
    assert_eq!(got, domains);
    assert!(c.categories.iter().all(|(code, _)| CATEGORIES.contains(&code.as_str())));
}

#[test]
fn a_reset_view_is_rebuilt_from_the_world_at_the_next_sync() {
    let mut r = Rng(99);
    let mut w = World::new();
    for n in 0..100 {
        let e = random_event(&mut r, &w, n);
        w.apply(&e);
    }
    let mut view = RegisterView::new(d("2027-01-01"));
    assert!(view.is_empty());
    view.reset();
    view.sync(&w);
    assert_eq!(view.len(), w.bases().count());
    check(&view, &w, &mut r, 50);
}

/// The search by unit name as a scan over every base: a unit matches when one of its bases'
/// unit names holds the needle, or its code is the needle, under the first of its matching
/// names; by name, then code.
fn scan_units(w: &World, needle: &str, limit: usize) -> Vec<(String, String)> {
    let needle = needle.trim().to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    for b in w.bases() {
        let key = unit_key(&b.uscc);
        if b.unit_name.to_lowercase().contains(&needle) || key == unit_key(&needle) {
            let name = first.entry(key).or_insert_with(|| b.unit_name.clone());
            if b.unit_name < *name {
                *name = b.unit_name.clone();
            }
        }
    }
    let mut out: Vec<(String, String)> = first.into_iter().map(|(code, name)| (name, code)).collect();
    out.sort();
    out.truncate(limit);
    out
}

/// 重大事项 approved: the base's support unit takes a new name.
fn renamed(base: &str, change: usize, unit_name: &str) -> [Event; 2] {
    let stream = format!("base/{base}");
    let on = d("2026-06-01");
    let change = format!("C{change}");
    [
        event(
            stream.clone(),
            on,
            EventKind::MajorChangeFiled(guohe_domain::MajorChangeFiled {
                base: base.into(),
                change: change.clone(),
                kind: "rename".into(),
                details: guohe_domain::MajorChangeDetails {
                    description: "更名".into(),
                    official_name: None,
                    director: None,
                    domain: None,
                    partner_country: None,
                    unit_name: Some(unit_name.into()),
                    uscc: None,
                    category: None,
                },
                approval: vec![guohe_policy::model::Approver::Department],
                informed: Vec::new(),
            }),
        ),
        event(
            stream,
            on,
            EventKind::MajorChangeApproved(guohe_domain::MajorChangeApproved {
                base: base.into(),
                change,
                by: guohe_policy::model::Approver::Department,
            }),
        ),
    ]
}

#[test]
fn the_unit_search_answers_as_a_scan_while_bases_come_and_units_are_renamed() {
    const RENAMES: &[&str] = &["长沙理工大学", "Beta Holdings", "武汉大学研究院", "新某某公司"];
    let mut needles: Vec<String> = ["beta", "BETA", " Ltd ", "a", "zz", "", "  ", "大学研究", "某某某"]
        .map(String::from)
        .to_vec();
    for name in UNITS.iter().chain(RENAMES) {
        let chars: Vec<char> = name.chars().collect();
        for len in 1..=3 {
            needles.extend(chars.windows(len).map(|w| w.iter().collect::<String>()));
        }
    }
    for seed in 1..=4u64 {
        let mut r = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let mut w = World::new();
        let mut view = RegisterView::new(d("2027-06-30"));
        for n in 0..300 {
            let events: Vec<Event> = if n % 7 == 6 && w.bases().next().is_some() {
                let ids: Vec<String> = w.bases().map(|b| b.id.clone()).collect();
                renamed(&ids[r.below(ids.len())], n, r.pick(RENAMES)).to_vec()
            } else {
                vec![random_event(&mut r, &w, n)]
            };
            for e in &events {
                w.apply(e);
                view.note(&w, e);
            }
            if r.below(4) == 0 || n == 299 {
                view.sync(&w);
                let some_code = w.bases().next().map(|b| b.uscc.to_lowercase()).unwrap_or_default();
                for needle in needles.iter().chain([&some_code, &format!(" {some_code} ")]) {
                    for limit in [3, 100] {
                        let got: Vec<(String, String)> = view
                            .search_units(needle, limit)
                            .into_iter()
                            .map(|m| (m.unit_name, m.uscc))
                            .collect();
                        assert_eq!(got, scan_units(&w, needle, limit), "seed {seed}, event {n}, {needle:?}");
                    }
                }
            }
        }
        assert!(
            w.bases().any(|b| RENAMES.contains(&b.unit_name.as_str())),
            "seed {seed}: some unit was renamed"
        );
        let built = RegisterView::build(&w, view.date());
        for needle in &needles {
            assert_eq!(
                built.search_units(needle, 100),
                view.search_units(needle, 100),
                "{needle:?}"
            );
        }
    }
}
