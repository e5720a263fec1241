//! Province boundaries: every department, recommender and expert account works under its own
//! province's policies only, and a support unit under the province it is registered in. A
//! record of the other province is refused (403, audited) on every page and every command, and
//! lists, dashboards and counts show only the account's province.

use crate::api_common;

use api_common::{Client, demo_app};
use serde_json::json;

/// The Hubei base the demo names in 2023.
const HUBEI_BASE: &str = "HB-2023-01";

#[tokio::test]
async fn a_hunan_department_cannot_revoke_a_hubei_base() {
    let app = demo_app().await;
    let hn = Client::new(&app);
    hn.login("hn-dept").await;
    let before = hn.get(&format!("/api/v1/bases/{HUBEI_BASE}")).await.json();

    // The request of the report: a finding of false materials against a Hubei base.
    let finding = json!({"type": "RecordFinding", "case": format!("base/{HUBEI_BASE}"),
        "finding": "false_materials", "effective_on": "2026-11-20",
        "evidence": "经查，申报材料中的合作协议系伪造。", "confirm": true});
    let p = hn.command(finding.clone()).await.problem(403);
    assert_eq!(p["code"], "forbidden");
    assert!(p["detail"].as_str().unwrap().contains("其他省份"), "{p}");
    assert!(p["detail_en"].as_str().unwrap().contains("RecordFinding"), "{p}");
    let refused = app.audit("PermissionRefused").await;
    assert!(
        refused
            .iter()
            .any(|e| e.actor == "user:hn-dept" && e.payload["path"] == "/api/v1/commands"),
        "the refusal is on the chain: {refused:?}"
    );
    let after = hn.get(&format!("/api/v1/bases/{HUBEI_BASE}")).await.json();
    assert_eq!(before["status"], after["status"], "the Hubei base is untouched");
    assert_eq!(before["history"], after["history"]);

    // Opening a round under the other province's policy is refused the same way.
    let round = json!({"type": "OpenRound", "id": "HB-2027", "policy": "hubei-2022",
        "title": "2027年度湖北省国际科技合作基地申报", "opens_on": "2027-03-01", "closes_on": "2027-04-30"});
    assert_eq!(hn.command(round.clone()).await.problem(403)["code"], "forbidden");

    // The Hubei department itself is asked to confirm the irreversible finding first, and
    // nothing happens until it does.
    let hb = Client::new(&app);
    hb.login("hb-dept").await;
    let mut unconfirmed = finding.clone();
    unconfirmed.as_object_mut().unwrap().remove("confirm");
    let p = hb.command(unconfirmed).await.problem(428);
    assert_eq!(p["code"], "confirmation_required");
    assert_eq!(p["field"], "confirm");
    let unchanged = hb.get(&format!("/api/v1/bases/{HUBEI_BASE}")).await.json();
    assert_eq!(
        before["status"], unchanged["status"],
        "nothing was done before confirming"
    );
    let mut not_bool = finding.clone();
    not_bool["confirm"] = json!("yes");
    assert_eq!(hb.command(not_bool).await.problem(422)["field"], "confirm");
    // A Hubei round by the Hubei department passes authorization, and the domain opens it.
    let r = hb.command(round).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["events"][0]["kind"], "RoundOpened");
}

#[tokio::test]
async fn department_pages_lists_and_dashboard_show_only_their_province() {
    let app = demo_app().await;
    let hn = Client::new(&app);
    hn.login("hn-dept").await;
    let hb = Client::new(&app);
    hb.login("hb-dept").await;

    // A Hubei case, by page, is refused to Hunan and open to Hubei.
    for path in [
        format!("/dept/bases/{HUBEI_BASE}"),
        "/dept/applications/HB-2026-001".to_string(),
        format!("/dept/history?stream=base/{HUBEI_BASE}"),
    ] {
        assert_eq!(hn.get(&path).await.status, 403, "{path} for hn-dept");
        let mine = hb.get(&path).await;
        assert_eq!(mine.status, 200, "{path} for hb-dept: {}", mine.body);
    }
    // Page forms go through the same gate as the API.
    let token = hn.csrf().await;
    let r = hn
        .raw(
            hyper::Method::POST,
            "/dept/rounds/HB-2026/close",
            Some((
                "application/x-www-form-urlencoded",
                format!("_csrf={token}&confirmed=yes"),
            )),
            &[],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);

    // Lists and the dashboard.
    for path in [
        "/dept/applications",
        "/dept/bases",
        "/dept/rounds",
        "/dept/notices",
        "/dept",
    ] {
        let page = hn.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        // The footer names both regulations; the records are above it.
        let body = page.body.split("<footer").next().unwrap_or_default();
        assert!(!body.contains("HB-20"), "{path} shows a Hubei record to Hunan");
        let hubei_at = body.find("湖北省");
        assert!(
            hubei_at.is_none(),
            "{path} names Hubei's records to Hunan: …{}…",
            hubei_at
                .map(|i| body[i..].chars().take(300).collect::<String>())
                .unwrap_or_default()
        );
    }
    let mine = hn.get("/dept/applications").await;
    assert!(mine.body.contains("HN-2026-"), "Hunan's own applications are listed");
    let theirs = hb.get("/dept/applications").await;
    assert!(theirs.body.contains("HB-20") && !theirs.body.contains("HN-2026-"));
    let rounds = hb.get("/dept/rounds").await;
    assert!(rounds.body.contains("hubei-2022") && !rounds.body.contains("hunan-2026"));
    let csv = hn.get("/dept/bases?format=csv").await;
    assert!(
        !csv.body.contains("HB-20") && !csv.body.contains("湖北"),
        "the export too"
    );
}

#[tokio::test]
async fn units_recommenders_and_experts_stay_in_their_province() {
    let app = demo_app().await;
    // A Changsha company is never offered Hubei's round; a Wuhan company is.
    let changsha = Client::new(&app);
    changsha.login("hn-xjsw").await;
    let home = changsha.get("/unit").await;
    assert_eq!(home.status, 200);
    assert!(!home.body.contains("HB-2026"), "a Hunan unit is offered a Hubei round");
    let wuhan = Client::new(&app);
    wuhan.login("hb-dhcl").await;
    assert!(wuhan.get("/unit").await.body.contains("HB-2026"));

    // A Hubei recommender cannot open a Hunan application, nor recommend it.
    let rec = Client::new(&app);
    rec.login("rec-wuhan").await;
    assert_eq!(rec.get("/recommender/applications/HN-2026-205").await.status, 403);
    let recommend = json!({"type": "RecommendApplication", "application": "HN-2026-205",
        "recommender": "武汉市科学技术局", "opinion": "同意推荐。"});
    assert_eq!(rec.command(recommend).await.problem(403)["code"], "forbidden");

    // A Hunan expert sees no Hubei application, even one listed on a notice.
    let liu = Client::new(&app);
    liu.login("expert-liu").await;
    let listed: Vec<String> = liu.get("/api/v1/applications?per_page=200").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    assert!(listed.iter().all(|id| id.starts_with("HN-")), "{listed:?}");
    assert_eq!(liu.get("/api/v1/applications/HB-2026-001").await.status, 403);
}
