//! Draws through `POST /api/v1/commands` with a pool given by hand (双随机、一公开; 评审专家随机
//! 抽取, 湖南第九条第3项): the pool must name active expert accounts of the department's province
//! with the units on their accounts — an unknown expert, another province's, or another unit is
//! refused (422, `pool[i].id`) naming every one, and nothing is drawn; a pool left out is the
//! province's expert accounts with their domains.

use crate::api_common;

use api_common::{Client, demo_app, uscc};
use serde_json::json;

#[tokio::test]
async fn a_pool_given_through_the_api_is_checked_against_the_accounts() {
    let app = demo_app().await;
    let dept = Client::new(&app);
    dept.login("hn-dept").await;
    let before = app.state.guohe.log().read_all(0, 1_000_000).await.unwrap().len();

    let bad = json!({"type": "DrawExpertPanel", "application": "HN-2026-204", "seed": "s", "confirm": true,
    "pool": [
        {"id": "expert-liu", "unit_uscc": uscc("hn-zngy"), "domains": ["氢能装备"]},
        {"id": "nobody", "unit_uscc": uscc("hn-zngy"), "domains": ["氢能装备"]},
        {"id": "expert-wang", "unit_uscc": uscc("hb-cjhy"), "domains": ["氢能装备"]},
        {"id": "expert-tang", "unit_uscc": uscc("hn-zngy"), "domains": ["氢能装备"]}
    ]});
    let p = dept.command(bad).await.problem(422);
    assert_eq!(p["field"], "pool[1].id", "{p}");
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("nobody") && detail.contains("expert-wang") && detail.contains("expert-tang"),
        "{detail}"
    );
    assert!(!detail.contains("“expert-liu”"), "{detail}");
    // The same for an inspection draw.
    let bad = json!({"type": "DrawInspections", "id": "HN-X", "policy": "hunan-2026", "purpose": "evaluation",
        "year": 2026, "count": 1, "strata": "none", "seed": "s", "confirm": true,
        "pool": [{"id": "ghost", "unit_uscc": uscc("hn-zngy")}]});
    let p = dept.command(bad).await.problem(422);
    assert_eq!(p["field"], "pool[0].id", "{p}");
    let after = app.state.guohe.log().read_all(0, 1_000_000).await.unwrap();
    assert!(
        after[before..].iter().all(|e| e.stream.starts_with("audit/")),
        "nothing drawn"
    );

    // Without a pool: the province's expert accounts with the domains on their accounts.
    for i in 1..=3 {
        guohe_web::accounts::create_account(
            &app.state,
            "admin:test",
            guohe_web::accounts::NewUser {
                login: format!("hn-h{i}"),
                display_name: format!("氢能专家{i}"),
                role: guohe_store::AccountRole::Expert,
                org_id: Some(uscc(["hn-xjsw", "hn-lgzz", "hn-lpzy"][i - 1])),
                password: "Guohe@Demo2026".into(),
                province: "43".into(),
                must_change_password: false,
                profile: guohe_store::AccountProfile {
                    title: "研究员".into(),
                    unit_name: "某研究院".into(),
                    domains: vec!["氢能装备".into()],
                },
                pending_approval: false,
            },
        )
        .await
        .expect("expert");
    }
    let r = dept
        .command(json!({"type": "DrawExpertPanel", "application": "HN-2026-204", "seed": "湘-204", "confirm": true}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let panel = dept.get("/api/v1/applications/HN-2026-204/panel").await;
    assert_eq!(panel.status, 200, "{}", panel.body);
    let v = panel.json();
    let pool: Vec<&str> = v["record"]["pool"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        pool,
        [
            "expert-liu",
            "expert-tang",
            "expert-xie",
            "expert-zhou",
            "hn-h1",
            "hn-h2",
            "hn-h3"
        ]
    );
    assert!(
        v["record"]["pool"][0]["domains"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );
    // 周立新 works at the applicant: kept off, recorded.
    assert!(
        v["record"]["exclusions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["expert"] == "expert-zhou" && e["reason"] == "own_unit"),
        "{v}"
    );
    // The demo's other experts reviewed the same unit's HN-2026-103 this year.
    assert!(
        v["record"]["exclusions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["expert"] == "expert-liu" && e["reason"] == "recent_review" && e["detail"] == "HN-2026-103"),
        "{v}"
    );
    assert_eq!(v["record"]["panel"].as_array().unwrap().len(), 3);
    assert_eq!(v["record"]["eligible"], json!(["hn-h1", "hn-h2", "hn-h3"]));
}
