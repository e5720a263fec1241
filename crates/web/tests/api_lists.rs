//! Lists: pages, filters, search and sort; applications scoped by who asks; the audit trail for
//! the department only.

use crate::api_common;

use api_common::{Client, demo_app};
use serde_json::Value;

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn register_pages_filters_and_dates() {
    let app = demo_app().await;
    let c = Client::new(&app);
    let all = c.get("/api/v1/bases?per_page=200").await.json();
    let total = all["total"].as_u64().unwrap() as usize;
    assert!(total >= 12, "{all}");
    assert_eq!(all["per_page"], 200);
    assert_eq!(ids(&all).len(), total);

    // Pages cut the same sorted list.
    let p1 = c.get("/api/v1/bases?per_page=5&sort=id").await.json();
    let p2 = c.get("/api/v1/bases?per_page=5&page=2&sort=id").await.json();
    assert_eq!(p1["total"], p2["total"]);
    assert_eq!(ids(&p1).len(), 5);
    let mut sorted = ids(&all);
    sorted.sort();
    assert_eq!([ids(&p1), ids(&p2)].concat(), sorted[..10].to_vec());
    let desc = c.get("/api/v1/bases?per_page=1&sort=-id").await.json();
    assert_eq!(ids(&desc), vec![sorted.last().unwrap().clone()]);
    // per_page is at most 200, as the OpenAPI document declares; past the last page is empty.
    assert_eq!(
        c.get("/api/v1/bases?per_page=5000").await.problem(422)["field"],
        "per_page"
    );
    assert!(ids(&c.get("/api/v1/bases?page=99").await.json()).is_empty());

    // Filters.
    let hunan = c.get("/api/v1/bases?policy=hunan-2026&per_page=200").await.json();
    assert!(
        hunan["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["policy"] == "hunan-2026")
    );
    let by_province = c.get("/api/v1/bases?province=43&per_page=200").await.json();
    assert_eq!(by_province["total"], hunan["total"]);
    let on = c.get("/api/v1/bases?status=on_register&per_page=200").await.json();
    assert!(
        on["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["status"] == "active" || b["status"] == "rectification")
    );
    assert!(on["total"].as_u64().unwrap() < total as u64);
    let de = c.get("/api/v1/bases?country=de").await.json();
    assert!(
        de["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["partner_country"] == "DE")
    );
    let wuhan = c.get("/api/v1/bases?region=4201").await.json();
    assert!(wuhan["total"].as_u64().unwrap() >= 2);
    let q = c.get(&format!("/api/v1/bases?q={}", "%E6%BF%80%E5%85%89")).await.json(); // 激光
    assert_eq!(q["total"], 1, "{q}");

    // As of a date: before the 2026 namings, the Hunan bases of 2026 are not there yet, and
    // HB-2023-04 (revoked in 2025) was still active.
    let then = c.get("/api/v1/bases?as_of=2024-12-31&per_page=200").await.json();
    assert!(!ids(&then).contains(&"HN-2026-01".to_string()));
    let hb4 = then["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "HB-2023-04")
        .unwrap();
    assert_eq!(hb4["status"], "active");

    // Bad parameters are named.
    for (q, field) in [
        ("page=0", "page"),
        ("per_page=abc", "per_page"),
        ("as_of=2024-13-01", "as_of"),
        ("sort=colour", "sort"),
    ] {
        let p = c.get(&format!("/api/v1/bases?{q}")).await.problem(422);
        assert_eq!(p["field"], field, "{q}: {p}");
    }

    // One base, with its history and articles.
    let b = c.get("/api/v1/bases/HB-2023-04").await.json();
    assert_eq!(b["base"]["status"], "revoked");
    assert!(b["status_history"].as_array().unwrap().len() >= 2);
    assert!(
        b["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["articles"].as_array().is_some_and(|a| !a.is_empty()))
    );
    assert_eq!(c.get("/api/v1/bases/NOPE").await.problem(404)["code"], "not_found");
}

#[tokio::test]
async fn notices_and_policies() {
    let app = demo_app().await;
    let c = Client::new(&app);
    let n = c.get("/api/v1/notices").await.json();
    assert!(n["total"].as_u64().unwrap() >= 3, "{n}");
    let running = c.get("/api/v1/notices?phase=running").await.json();
    assert_eq!(ids(&running), vec!["HN-GS-2026-2".to_string()]);
    assert_eq!(c.get("/api/v1/notices?phase=soon").await.problem(422)["field"], "phase");
    let hb = c.get("/api/v1/notices?policy=hubei-2022").await.json();
    assert!(
        hb["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["policy"] == "hubei-2022")
    );

    let p = c.get("/api/v1/policies").await.json();
    assert_eq!(p["total"], 2);
    let hubei = c.get("/api/v1/policies/hubei-2022").await.json();
    assert_eq!(hubei["summary"]["document_number"], "鄂科技规〔2022〕6号");
    assert!(hubei["policy"]["articles"].as_array().unwrap().len() > 20);
    assert!(!hubei["policy"]["eligibility"].as_array().unwrap().is_empty());
    assert_eq!(c.get("/api/v1/policies/mars").await.problem(404)["code"], "not_found");
}

async fn list(c: &Client<'_>) -> Vec<String> {
    ids(&c.get("/api/v1/applications?per_page=200").await.json())
}

#[tokio::test]
async fn applications_are_scoped_by_who_asks() {
    let app = demo_app().await;
    let dept = Client::new(&app);
    dept.login("hn-dept").await;
    let everything = list(&dept).await;
    assert!(everything.len() >= 12, "{everything:?}");
    assert!(
        everything.iter().all(|id| id.starts_with("HN-")),
        "only Hunan's: {everything:?}"
    );
    let hubei = Client::new(&app);
    hubei.login("hb-dept").await;
    let theirs = list(&hubei).await;
    assert!(
        !theirs.is_empty() && theirs.iter().all(|id| id.starts_with("HB-")),
        "{theirs:?}"
    );

    let unit = Client::new(&app);
    unit.login("hn-xjsw").await;
    let own = list(&unit).await;
    assert_eq!(own, vec!["HN-2026-101".to_string(), "HN-2026-207".to_string()]);

    let rec = Client::new(&app);
    rec.login("rec-zhuzhou").await;
    let zhuzhou = list(&rec).await;
    assert!(zhuzhou.contains(&"HN-2026-204".to_string()));
    assert!(
        zhuzhou
            .iter()
            .all(|id| ["HN-2026-103", "HN-2026-204"].contains(&id.as_str())),
        "{zhuzhou:?}"
    );

    let expert = Client::new(&app);
    expert.login("expert-wang").await;
    let assigned = list(&expert).await;
    assert!(!assigned.contains(&"HN-2026-203".to_string()));
    let zhou = Client::new(&app);
    zhou.login("expert-zhou").await;
    assert!(list(&zhou).await.contains(&"HN-2026-203".to_string()));

    // Filters and search on what one may see.
    let submitted = dept.get("/api/v1/applications?status=submitted").await.json();
    assert!(
        submitted["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["status"] == "submitted")
    );
    assert_eq!(
        dept.get("/api/v1/applications?status=nope").await.problem(422)["field"],
        "status"
    );
    let round = hubei.get("/api/v1/applications?round=HB-2023&sort=-id").await.json();
    assert_eq!(ids(&round)[0], "HB-2023-005");
    let other = dept.get("/api/v1/applications?round=HB-2023").await.json();
    assert!(ids(&other).is_empty(), "Hubei's round filtered for Hunan: {other}");

    // One application: another unit's is refused (and audited), a missing one is 404.
    assert_eq!(unit.get("/api/v1/applications/HN-2026-101").await.status, 200);
    assert_eq!(
        unit.get("/api/v1/applications/HN-2026-203").await.problem(403)["code"],
        "forbidden"
    );
    assert_eq!(
        unit.get("/api/v1/applications/NOPE").await.problem(404)["code"],
        "not_found"
    );
    assert!(
        app.audit("PermissionRefused")
            .await
            .iter()
            .any(|e| e.actor == "user:hn-xjsw")
    );

    // Experts' names and scores are the department's; an expert sees their own assignment.
    let d = dept.get("/api/v1/applications/HN-2026-203").await.json();
    assert_eq!(d["assignments"].as_array().unwrap().len(), 3);
    let z = zhou.get("/api/v1/applications/HN-2026-203").await.json();
    let mine = z["assignments"].as_array().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["expert"], "expert-zhou");
    let applicant = Client::new(&app);
    applicant.login("hn-hyhj").await;
    let a = applicant.get("/api/v1/applications/HN-2026-203").await.json();
    assert!(a["assignments"].as_array().unwrap().is_empty());
    assert_eq!(a["experts_assigned"], 3);
    let h = applicant.get("/api/v1/applications/HN-2026-203/history").await.json();
    let assigned: Vec<&Value> = h
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "ExpertAssigned")
        .collect();
    assert_eq!(assigned.len(), 3);
    assert!(assigned.iter().all(|e| e["payload"].is_null()));
    let h = dept.get("/api/v1/applications/HN-2026-203/history").await.json();
    assert!(h.as_array().unwrap().iter().all(|e| !e["payload"].is_null()));
    assert!(h[0]["articles"][0]["label_zh"].as_str().unwrap().contains("湘科发"));
}

#[tokio::test]
async fn audit_trail_for_the_audit_administrator_only() {
    let app = demo_app().await;
    let unit = Client::new(&app);
    unit.login("hn-xjsw").await;
    assert_eq!(unit.get("/api/v1/audit").await.problem(403)["code"], "forbidden");
    assert_eq!(
        unit.post("/api/v1/audit/verify", &serde_json::json!({}))
            .await
            .problem(403)["code"],
        "forbidden"
    );
    // 三权分立: the department reads each case's history, not the audit log.
    let hn = Client::new(&app);
    hn.login("hn-dept").await;
    assert_eq!(hn.get("/api/v1/audit").await.problem(403)["code"], "forbidden");
    let dept = Client::new(&app);
    dept.login("audit-admin").await;
    let a = dept.get("/api/v1/audit?kind=PermissionRefused").await.json();
    assert!(a["total"].as_u64().unwrap() >= 2, "{a}");
    assert!(
        a["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["kind"] == "PermissionRefused")
    );
    let all = dept.get("/api/v1/audit?per_page=3").await.json();
    let seqs: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_i64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first: {seqs:?}");
    let v = dept.post("/api/v1/audit/verify", &serde_json::json!({})).await;
    assert_eq!(v.status, 200, "{}", v.body);
    assert_eq!(v.json()["intact"], true);
}

/// Each role's list of applications from the API — the department's counted by policy, a unit's
/// from its own applications, an expert's from their seats, a recommender's from its
/// jurisdiction's regions and listed units — is what checking every application with `can_view_application` gives, page by page
/// and in every order.
#[tokio::test]
async fn each_role_lists_what_it_may_see() {
    use guohe_app::read_models::{ApplicationQuery, ApplicationScope, ApplicationSort};
    use guohe_domain::ApplicationStatus;
    use guohe_web::authz::{self, Jurisdiction, Principal};
    let app = demo_app().await;
    for login in [
        "hn-dept",
        "hb-dept",
        "hn-xjsw",
        "hb-dhcl",
        "expert-liu",
        "expert-wang",
        "rec-changsha",
        "rec-wuhan",
        // A jurisdiction of one unit listed by name (省直部门), no region.
        "rec-hnedu",
    ] {
        let c = Client::new(&app);
        c.login(login).await;
        let account = app.state.accounts.account(login).await.unwrap().unwrap();
        let jurisdiction = match &account.org_id {
            Some(org) if account.role == guohe_store::AccountRole::Recommender => app
                .state
                .accounts
                .organisation(org)
                .await
                .unwrap()
                .map(|o| Jurisdiction::of(&o))
                .unwrap_or_default(),
            _ => Jurisdiction::default(),
        };
        let p = Principal {
            account: login.into(),
            display_name: login.into(),
            role: account.role,
            org: account.org_id.clone(),
            jurisdiction,
            policies: authz::province_policies(app.state.guohe.policies(), &account.province),
            province: account.province.clone(),
            must_change_password: false,
        };
        let each = |a: &guohe_domain::ApplicationCase| authz::can_view_application(&p, a).is_ok();
        let everything = ApplicationQuery {
            limit: 10_000,
            ..Default::default()
        };
        let visible = app
            .state
            .guohe
            .applications(&everything, ApplicationScope::Each(&each), |a| a.id.clone())
            .await;
        assert!(visible.total > 0, "{login} sees applications in the demo");
        for (query, status, sort, descending, page, per_page) in [
            ("per_page=200", None, ApplicationSort::Id, false, 1, 200),
            ("per_page=3&page=2&sort=-id", None, ApplicationSort::Id, true, 2, 3),
            ("per_page=4&sort=unit", None, ApplicationSort::Unit, false, 1, 4),
            ("per_page=5&sort=-status", None, ApplicationSort::Status, true, 1, 5),
            (
                "per_page=2&sort=-submitted_on",
                None,
                ApplicationSort::SubmittedOn,
                true,
                1,
                2,
            ),
            (
                "status=submitted&sort=submitted_on",
                Some(ApplicationStatus::Submitted),
                ApplicationSort::SubmittedOn,
                false,
                1,
                20,
            ),
            (
                "status=named&page=9",
                Some(ApplicationStatus::Named),
                ApplicationSort::Id,
                false,
                9,
                20,
            ),
        ] {
            let got = c.get(&format!("/api/v1/applications?{query}")).await.json();
            let q = ApplicationQuery {
                status,
                sort,
                descending,
                offset: (page - 1) * per_page,
                limit: per_page,
                ..Default::default()
            };
            let want = app
                .state
                .guohe
                .applications(&q, ApplicationScope::Each(&each), |a| a.id.clone())
                .await;
            assert_eq!(ids(&got), want.items, "{login} {query}");
            assert_eq!(got["total"].as_u64().unwrap() as usize, want.total, "{login} {query}");
        }
    }
}
