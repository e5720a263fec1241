//! The applications view against an independent scan of the world (filter, sort by key then id,
//! reverse, cut a page), on a log made by the real generator and folded in event by event, for
//! every order, filter and a visibility rule.

use std::collections::BTreeSet;

use guohe_domain::{ApplicationCase, ApplicationStatus, Event, EventKind, World};
use guohe_policy::facts::Attachment;

use super::applications::*;
use super::due_tests::generated_events;
use crate::Guohe;

/// What the API listed before the view: every visible application matching, sorted by (key, id),
/// reversed for descending, then cut.
fn by_scan(world: &World, q: &ApplicationQuery, visible: &dyn Fn(&ApplicationCase) -> bool) -> (Vec<String>, usize) {
    let mut rows: Vec<&ApplicationCase> = world
        .applications()
        .filter(|a| visible(a))
        .filter(|a| q.status.is_none_or(|s| s == a.status))
        .filter(|a| q.policy.as_deref().is_none_or(|p| p == a.policy))
        .filter(|a| q.round.as_deref().is_none_or(|r| r == a.round))
        .filter(|a| {
            [&a.id, &a.facts.unit.name, &a.facts.technology_domain]
                .iter()
                .any(|f| f.to_lowercase().contains(&q.needle))
        })
        .collect();
    let key = |a: &ApplicationCase| -> String {
        match q.sort {
            ApplicationSort::Id => a.id.clone(),
            ApplicationSort::SubmittedOn => a.submitted_on.to_string(),
            ApplicationSort::Unit => a.facts.unit.name.clone(),
            ApplicationSort::Status => format!("{:02}", a.status as u8),
        }
    };
    rows.sort_by_cached_key(|a| (key(a), a.id.clone()));
    if q.descending {
        rows.reverse();
    }
    let total = rows.len();
    let page = rows
        .into_iter()
        .skip(q.offset)
        .take(q.limit)
        .map(|a| a.id.clone())
        .collect();
    (page, total)
}

fn questions(world: &World) -> Vec<ApplicationQuery> {
    let some = world.applications().next();
    let mut out = Vec::new();
    for sort in [
        ApplicationSort::Id,
        ApplicationSort::SubmittedOn,
        ApplicationSort::Unit,
        ApplicationSort::Status,
    ] {
        for descending in [false, true] {
            for offset in [0, 7] {
                out.push(ApplicationQuery {
                    sort,
                    descending,
                    offset,
                    limit: 10,
                    ..Default::default()
                });
            }
        }
    }
    // In status order with one status asked, the view walks that status's run only.
    for status in [
        ApplicationStatus::Submitted,
        ApplicationStatus::Returned,
        ApplicationStatus::Recommended,
        ApplicationStatus::UnderReview,
        ApplicationStatus::Approved,
        ApplicationStatus::Rejected,
        ApplicationStatus::InNotice,
        ApplicationStatus::Named,
        ApplicationStatus::Withdrawn,
    ] {
        for descending in [false, true] {
            out.push(ApplicationQuery {
                status: Some(status),
                sort: ApplicationSort::Status,
                descending,
                offset: 1,
                limit: 6,
                ..Default::default()
            });
        }
    }
    out.push(ApplicationQuery {
        status: Some(ApplicationStatus::Named),
        limit: 25,
        ..Default::default()
    });
    out.push(ApplicationQuery {
        status: Some(ApplicationStatus::UnderReview),
        sort: ApplicationSort::Unit,
        limit: 5,
        ..Default::default()
    });
    if let Some(a) = some {
        out.push(ApplicationQuery {
            policy: Some(a.policy.clone()),
            round: Some(a.round.clone()),
            sort: ApplicationSort::SubmittedOn,
            descending: true,
            limit: 8,
            ..Default::default()
        });
        out.push(ApplicationQuery {
            policy: Some(a.policy.clone()),
            status: Some(ApplicationStatus::Submitted),
            sort: ApplicationSort::Status,
            offset: 3,
            limit: 4,
            ..Default::default()
        });
        // Part of a unit's name, in another case where it has letters.
        let part: String = a.facts.unit.name.chars().take(2).collect();
        out.push(ApplicationQuery {
            needle: part.to_lowercase(),
            limit: 200,
            ..Default::default()
        });
    }
    out.push(ApplicationQuery {
        offset: 1_000_000,
        limit: 10,
        ..Default::default()
    });
    out
}

/// Gives the generated applications attachments, as units upload them: files shared by several
/// applications, and a resubmission that lists other files than its submission did.
fn with_attachments(mut events: Vec<Event>) -> Vec<Event> {
    let attach = |n: usize| {
        vec![Attachment {
            kind: "business_licence".into(),
            file: format!("F-{}", n % 7),
        }]
    };
    // The generator's first provinces (北京, 天津) have one prefecture each: the units are spread
    // over districts of two prefectures and two provinces here, and a resubmission may move one.
    const DISTRICTS: [&str; 5] = ["110101", "110102", "110228", "120101", "120116"];
    let mut n = 0;
    for e in &mut events {
        let facts = match &mut e.kind {
            EventKind::ApplicationSubmitted(x) => {
                x.facts.attachments = attach(n);
                &mut x.facts
            }
            EventKind::ApplicationResubmitted(x) => {
                x.facts.attachments = attach(n + 3);
                &mut x.facts
            }
            _ => continue,
        };
        facts.unit.region_code = DISTRICTS[n % DISTRICTS.len()].into();
        n += 1;
    }
    events
}

/// The unit's applications and a file's, by id, as a scan of the world finds them.
fn scanned(world: &World, keep: impl Fn(&ApplicationCase) -> bool) -> Vec<&str> {
    let mut ids: Vec<&str> = world
        .applications()
        .filter(|a| keep(a))
        .map(|a| a.id.as_str())
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn the_view_answers_as_a_scan_of_the_world_after_every_fold() {
    let (events, _policies, _dir) = generated_events().await;
    let events = with_attachments(events);
    let mut world = World::new();
    let mut view = ApplicationsView::new();
    view.sync(&world);
    // A visibility rule like a support unit's: one unit's applications only, decided per case.
    let mut checks = 0;
    let mut seated_experts = 0;
    let mut files_listed = 0;
    let mut regions_seen = 0;
    let mut jurisdictions_seen = 0;
    let mut narrow_seen = 0;
    let mut statuses = std::collections::BTreeSet::new();
    for (i, e) in events.iter().enumerate() {
        world.apply(e);
        view.note(e);
        if i % 5 == 0 || i + 1 == events.len() {
            view.sync(&world);
            assert_eq!(view.len(), world.applications().count(), "after event {i}");
            statuses.extend(world.applications().map(|a| a.status as u8));
            let uscc = world
                .applications()
                .last()
                .map(|a| a.facts.unit.uscc.clone())
                .unwrap_or_default();
            let own = |a: &ApplicationCase| a.facts.unit.uscc == uscc;
            let everyone = |_: &ApplicationCase| true;
            let first_policy: Vec<String> = world.applications().take(1).map(|a| a.policy.clone()).collect();
            let in_first = |a: &ApplicationCase| first_policy.contains(&a.policy);
            let every_policy: Vec<String> = world.applications().map(|a| a.policy.clone()).collect();
            // The prefecture of the application with the greatest id, and by name the unit of the
            // first application (by id) outside it: the same choice whatever the world's order.
            let prefecture: String = world
                .applications()
                .max_by(|x, y| x.id.cmp(&y.id))
                .map(|a| a.facts.unit.region_code.trim().chars().take(4).collect())
                .unwrap_or_default();
            let prefixes = vec![prefecture.clone(), String::new()];
            let listed: Vec<String> = world
                .applications()
                .filter(|a| !a.facts.unit.region_code.trim().starts_with(prefecture.as_str()))
                .min_by(|x, y| x.id.cmp(&y.id))
                .map(|a| format!(" {} ", a.facts.unit.uscc.to_lowercase()))
                .into_iter()
                .collect();
            let own_region = |a: &ApplicationCase| {
                let code = a.facts.unit.region_code.trim();
                !prefecture.is_empty() && code.starts_with(prefecture.as_str())
            };
            let covered = |a: &ApplicationCase| {
                own_region(a)
                    || listed
                        .iter()
                        .any(|u| u.trim().eq_ignore_ascii_case(a.facts.unit.uscc.trim()))
            };
            for q in questions(&world) {
                for visible in [&everyone as &(dyn Fn(&ApplicationCase) -> bool + Sync), &own] {
                    let page = view.query(&world, &q, ApplicationScope::Each(visible), |a| a.id.clone());
                    assert_eq!(
                        (page.items, page.total),
                        by_scan(&world, &q, visible),
                        "after event {i}: {q:?}"
                    );
                }
                // Whole policies (the department): counted totals and a walk that stops at the
                // page give what the scan gives.
                let page = view.query(&world, &q, ApplicationScope::Policies(&first_policy), |a| a.id.clone());
                assert_eq!(
                    (page.items, page.total),
                    by_scan(&world, &q, &in_first),
                    "after event {i}: {q:?}"
                );
                let page = view.query(&world, &q, ApplicationScope::Policies(&every_policy), |a| a.id.clone());
                assert_eq!(
                    (page.items, page.total),
                    by_scan(&world, &q, &everyone),
                    "after event {i}: {q:?}"
                );
                let page = view.query(&world, &q, ApplicationScope::Policies(&[]), |a| a.id.clone());
                assert_eq!((page.items.len(), page.total), (0, 0), "no policy, nothing");
                // A unit's own applications, and an expert's seats, drawn from the indexes: what
                // the scan gives for the same rule over every application.
                let page = view.query(&world, &q, ApplicationScope::Unit(&uscc, &everyone), |a| a.id.clone());
                assert_eq!(
                    (page.items, page.total),
                    by_scan(&world, &q, &own),
                    "after event {i}: unit {uscc}, {q:?}"
                );
                let lower = uscc.to_lowercase();
                let page = view.query(&world, &q, ApplicationScope::Unit(&lower, &in_first), |a| a.id.clone());
                assert_eq!(
                    (page.items, page.total),
                    by_scan(&world, &q, &|a| own(a) && in_first(a)),
                    "after event {i}: unit {lower} in the first policy, {q:?}"
                );
                if let Some(login) = world.applications().flat_map(|a| a.experts.keys()).next() {
                    let seated = |a: &ApplicationCase| a.experts.contains_key(login);
                    let page = view.query(&world, &q, ApplicationScope::Seated(login, &everyone), |a| a.id.clone());
                    assert_eq!(
                        (page.items, page.total),
                        by_scan(&world, &q, &seated),
                        "after event {i}: seats of {login}, {q:?}"
                    );
                }
                // A recommender's jurisdiction: a prefecture's prefix (an empty one, which covers
                // nothing, beside it) and a unit listed by name wherever it is registered.
                let page = view.query(
                    &world,
                    &q,
                    ApplicationScope::Covered {
                        region_prefixes: &prefixes,
                        units: &listed,
                        rule: &everyone,
                    },
                    |a| a.id.clone(),
                );
                assert_eq!(
                    (page.items, page.total),
                    by_scan(&world, &q, &covered),
                    "after event {i}: jurisdiction {prefixes:?} + {listed:?}, {q:?}"
                );
                let page = view.query(
                    &world,
                    &q,
                    ApplicationScope::Covered {
                        region_prefixes: &[String::new()],
                        units: &[],
                        rule: &everyone,
                    },
                    |a| a.id.clone(),
                );
                assert_eq!((page.items.len(), page.total), (0, 0), "an empty prefix covers nothing");
                // One district's (a fifth of the applications): its candidates sorted.
                let district = |a: &ApplicationCase| a.facts.unit.region_code.trim() == "110228";
                let page = view.query(
                    &world,
                    &q,
                    ApplicationScope::Covered {
                        region_prefixes: &["110228".into()],
                        units: &[],
                        rule: &everyone,
                    },
                    |a| a.id.clone(),
                );
                assert_eq!(
                    (page.items, page.total),
                    by_scan(&world, &q, &district),
                    "after event {i}: one district, {q:?}"
                );
                let in_district = world.applications().filter(|a| district(a)).count();
                narrow_seen += usize::from(in_district > 0 && in_district * 4 < world.applications().count());
                // A jurisdiction covering most applications (both provinces' codes start with
                // 1): walked in order, each case checked against the jurisdiction and the rule.
                let broad = |a: &ApplicationCase| {
                    a.facts.unit.region_code.trim().starts_with('1') && a.id.bytes().last().is_some_and(|c| c % 2 == 0)
                };
                let page = view.query(
                    &world,
                    &q,
                    ApplicationScope::Covered {
                        region_prefixes: &["1".into()],
                        units: &[],
                        rule: &broad,
                    },
                    |a| a.id.clone(),
                );
                assert_eq!(
                    (page.items, page.total),
                    by_scan(&world, &q, &broad),
                    "after event {i}: a broad jurisdiction, {q:?}"
                );
            }
            jurisdictions_seen += usize::from(world.applications().any(|a| covered(a) && !own_region(a)));
            // Every region prefix's applications, as a scan finds them.
            let codes: BTreeSet<&str> = world.applications().map(|a| a.facts.unit.region_code.trim()).collect();
            for prefix in codes
                .iter()
                .flat_map(|c| [&c[..c.len().min(2)], &c[..c.len().min(4)], *c])
            {
                let mut run: Vec<&str> = view.in_region(prefix).collect();
                run.sort_unstable();
                assert_eq!(
                    run,
                    if prefix.is_empty() {
                        vec![]
                    } else {
                        scanned(&world, |a| a.facts.unit.region_code.trim().starts_with(prefix))
                    },
                    "after event {i}: region {prefix}"
                );
            }
            regions_seen = regions_seen.max(codes.len());
            // Every round's count of applications.
            let rounds: BTreeSet<&str> = world.applications().map(|a| a.round.as_str()).collect();
            for r in &rounds {
                let scanned = world.applications().filter(|a| a.round == *r).count();
                assert_eq!(view.in_round(r), scanned, "after event {i}: round {r}");
            }
            assert_eq!(view.in_round("no-such-round"), 0);
            // Every unit's applications and every file's, as a scan finds them.
            let units: BTreeSet<&String> = world.applications().map(|a| &a.facts.unit.uscc).collect();
            for u in units {
                assert_eq!(
                    view.of_unit(u).collect::<Vec<_>>(),
                    scanned(&world, |a| a.facts.unit.uscc.trim().eq_ignore_ascii_case(u.trim())),
                    "after event {i}: unit {u}"
                );
            }
            for f in (0..8).map(|k| format!("F-{k}")) {
                let listing: Vec<&str> = view.listing_file(&f).collect();
                assert_eq!(
                    listing,
                    scanned(&world, |a| a.facts.attachments.iter().any(|x| x.file == f)),
                    "after event {i}: file {f}"
                );
                files_listed += usize::from(!listing.is_empty());
            }
            // Each expert's seats, as a scan of every application's panel finds them.
            let logins: BTreeSet<&String> = world.applications().flat_map(|a| a.experts.keys()).collect();
            for login in &logins {
                let mut scanned: Vec<&str> = world
                    .applications()
                    .filter(|a| a.experts.contains_key(*login))
                    .map(|a| a.id.as_str())
                    .collect();
                scanned.sort_unstable();
                assert_eq!(
                    view.seated(login).collect::<Vec<_>>(),
                    scanned,
                    "after event {i}: {login}"
                );
            }
            seated_experts = seated_experts.max(logins.len());
            assert_eq!(view.seated("expert:nobody").count(), 0);
            checks += 1;
        }
    }
    assert!(checks > 50, "{checks}");
    assert!(seated_experts > 3, "the log seats experts: {seated_experts}");
    assert!(files_listed > 50, "the applications list files: {files_listed}");
    assert!(regions_seen > 3, "the units lie in several regions: {regions_seen}");
    assert!(
        narrow_seen > 10,
        "a narrow jurisdiction's candidates are sorted: {narrow_seen}"
    );
    assert!(
        jurisdictions_seen > 10,
        "a listed unit outside the prefecture is covered: {jurisdictions_seen}"
    );
    assert!(
        statuses.len() >= 5,
        "the log moves applications through several statuses: {statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_service_keeps_the_view_through_commands_and_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("apps.db").display());
    let g = Guohe::open(&url, guohe_policy::PolicySet::default()).await.unwrap();
    let o = crate::generate::Options {
        provinces: 1,
        bases_per_province: 30,
        years: 2,
        ..Default::default()
    };
    crate::generate::generate(&g, &o, false, "dept:test", |_| {})
        .await
        .unwrap();
    let q = ApplicationQuery {
        sort: ApplicationSort::Status,
        descending: true,
        limit: 1_000,
        ..Default::default()
    };
    let served = g
        .applications(&q, ApplicationScope::Each(&|_| true), |a| (a.id.clone(), a.status))
        .await;
    let scanned = g.read(|w, _, _| by_scan(w, &q, &|_| true)).await;
    assert!(served.total > 10, "{}", served.total);
    assert_eq!(
        served.items.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
        scanned.0
    );
    drop(g);
    // Opened again, the view is rebuilt from the log (or a snapshot) and answers the same.
    let g = Guohe::open(&url, guohe_policy::PolicySet::default()).await.unwrap();
    assert_eq!(
        g.applications(&q, ApplicationScope::Each(&|_| true), |a| (a.id.clone(), a.status))
            .await,
        served
    );
}
