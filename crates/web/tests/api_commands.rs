//! Commands through the API: authorization by scope first (403, audited), then the regulation
//! (409 with the article, 422 with the field); eligibility errors naming the field; objections;
//! problem details that never show internals.

use crate::api_common;

use api_common::{Client, assert_no_internals, demo_app, hunan_application, uscc};
use guohe_web::WebError;
use hyper::Method;
use serde_json::json;

#[tokio::test]
async fn commands_authorised_by_scope_then_decided_by_the_rules() {
    let app = demo_app().await;
    // HN-2026-205 (湘潭先进储能材料研究院, 4303) awaits its recommender, 湘潭市科学技术局.
    let recommend = json!({"type": "RecommendApplication", "application": "HN-2026-205",
        "recommender": "湘潭市科学技术局", "opinion": "经形式审查，同意推荐。"});

    let anon = Client::new(&app);
    assert_eq!(
        anon.command(recommend.clone()).await.problem(401)["code"],
        "unauthenticated"
    );

    // Another jurisdiction: refused before the domain sees it, and audited.
    let changsha = Client::new(&app);
    changsha.login("rec-changsha").await;
    let p = changsha.command(recommend.clone()).await.problem(403);
    assert_eq!(p["code"], "forbidden");
    assert!(p["detail_en"].as_str().unwrap().contains("RecommendApplication"));
    let refused = app.audit("PermissionRefused").await;
    assert!(
        refused
            .iter()
            .any(|e| e.payload["path"] == "/api/v1/commands" && e.actor == "user:rec-changsha"),
        "{refused:?}"
    );

    // Other roles: a unit, even the applicant, may not recommend.
    let unit = Client::new(&app);
    unit.login("hn-xtcn").await;
    assert_eq!(unit.command(recommend.clone()).await.problem(403)["code"], "forbidden");

    // The right recommender: done, with the events on the chain.
    let xiangtan = Client::new(&app);
    xiangtan.login("rec-xiangtan").await;
    let r = xiangtan.command(recommend.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let out = r.json();
    assert_eq!(out["command"], "RecommendApplication");
    let e = &out["events"][0];
    assert_eq!(e["kind"], "ApplicationRecommended");
    assert_eq!(e["stream"], "application/HN-2026-205");
    assert!(e["seq"].as_i64().unwrap() > 0);
    assert_eq!(e["hash"].as_str().unwrap().len(), 64);
    assert!(e["articles"][0].as_str().unwrap().starts_with("hunan-2026:"));

    // Again: the state says no (409).
    let p = xiangtan.command(recommend).await.problem(409);
    assert_eq!(p["code"], "wrong_state");

    // A rule with its article: naming before the notice period is over.
    let dept = Client::new(&app);
    dept.login("hn-dept").await;
    // Without `"confirm": true` the irreversible step is not even tried.
    let name = json!({"type": "Name", "application": "HN-2026-201", "base_id": "HN-2026-09", "on": "2026-11-20"});
    assert_eq!(dept.command(name.clone()).await.problem(428)["field"], "confirm");
    let mut name = name;
    name["confirm"] = json!(true);
    let p = dept.command(name).await.problem(409);
    assert_eq!(p["code"], "notice_period");
    assert!(p["article"].as_str().unwrap().starts_with("hunan-2026:"), "{p}");
    assert_eq!(p["field"], "on");

    // A round no longer open: the unit's own application, refused by the rules with the article.
    let lgzz = Client::new(&app);
    lgzz.login("hn-lgzz").await;
    let mut facts = hunan_application("hn-lgzz");
    facts["technology_domain"] = json!("工业软件");
    let p = lgzz
        .command(json!({"type": "SubmitApplication", "id": "HN-2026-299", "round": "HN-2026-2", "facts": facts}))
        .await
        .problem(409);
    assert_eq!(p["code"], "round_not_open");
    assert!(p["article"].as_str().unwrap().starts_with("hunan-2026:"));
    // Someone else's 统一社会信用代码: the scope check refuses first.
    let p = lgzz
        .command(
            json!({"type": "SubmitApplication", "id": "HN-2026-298", "round": "HN-2026-2",
            "facts": hunan_application("hn-xjsw")}),
        )
        .await
        .problem(403);
    assert!(p["detail"].as_str().unwrap().contains("统一社会信用代码"));

    // Invalid input: a field of the wrong type (422 naming it) …
    let p = dept
        .command(
            json!({"type": "SubmitReview", "application": "HN-2026-203", "expert": "expert-zhou",
            "score": "very good", "conclusion": "recommend"}),
        )
        .await
        .problem(422);
    assert_eq!(p["field"], "score");
    // … a missing field, an unknown field, an unknown command type …
    assert_eq!(
        dept.command(json!({"type": "CloseRound"})).await.problem(422)["field"],
        "round"
    );
    assert_eq!(
        dept.command(json!({"type": "CloseRound", "round": "HN-2026-2", "extra": 1}))
            .await
            .problem(422)["field"],
        "extra"
    );
    assert_eq!(dept.command(json!({"type": "Fly"})).await.problem(422)["field"], "type");
    assert_eq!(dept.command(json!({"round": "x"})).await.problem(422)["field"], "type");
    // … and an invalid 统一社会信用代码 found by the domain, named with its path.
    // (In the open Hubei round, so the round itself does not refuse first.)
    let mut bad: serde_json::Value =
        serde_json::from_str(include_str!("../../../examples/applications/hubei-enterprise.json")).unwrap();
    bad["unit"]["uscc"] = json!("91420100MA4K567800");
    let hubei = Client::new(&app);
    hubei.login("hb-dept").await;
    let p = hubei
        .command(json!({"type": "SubmitApplication", "id": "HB-2026-297", "round": "HB-2026", "facts": bad}))
        .await
        .problem(422);
    assert_eq!(p["field"], "facts.unit.uscc");

    // Malformed JSON: 400, with where the parser stopped.
    let token = dept.csrf().await;
    let r = dept
        .raw(
            Method::POST,
            "/api/v1/commands",
            Some(("application/json", "{\"type\": \"CloseRound\", \"round\": ".into())),
            &[("x-csrf-token", &token)],
        )
        .await;
    let p = r.problem(400);
    assert_eq!(p["code"], "malformed_json");
    assert_eq!(p["field"], "round");

    // An expert: their own assignment only.
    let zhou = Client::new(&app);
    zhou.login("expert-zhou").await;
    let review = |expert: &str| {
        json!({"type": "SubmitReview", "application": "HN-2026-203", "expert": expert,
            "score": 86.5, "conclusion": "recommend", "comments": "合作基础扎实。"})
    };
    assert_eq!(
        zhou.command(review("expert-chen")).await.problem(403)["code"],
        "forbidden"
    );
    let wang = Client::new(&app);
    wang.login("expert-wang").await;
    assert_eq!(
        wang.command(review("expert-wang")).await.problem(403)["code"],
        "forbidden"
    );
    let r = zhou.command(review("expert-zhou")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["events"][0]["kind"], "ReviewSubmitted");

    // A unit: its own bases only.
    let report =
        json!({"type": "SubmitAnnualReport", "base": "HN-2026-01", "year": 2026, "submitted_on": "2026-11-20"});
    let other = Client::new(&app);
    other.login("hn-zzgd").await;
    assert_eq!(other.command(report.clone()).await.problem(403)["code"], "forbidden");
    let own = Client::new(&app);
    own.login("hn-xjsw").await;
    // Its own base passes authorization and reaches the rules: HN-2026-01 was named in 2026,
    // so no year of it has ended yet (湖南第十四条), refused on the field, not as forbidden.
    let p = own.command(report).await.problem(422);
    assert_eq!(p["field"], "year");
    assert_eq!(p["article"], "hunan-2026:14");

    // A recommender and a department record outcomes only as the department.
    let grade = json!({"type": "RecordEvaluation", "base": "HN-2026-01", "grade": "qualified"});
    assert_eq!(xiangtan.command(grade).await.problem(403)["code"], "forbidden");

    for body in [
        changsha
            .command(json!({"type": "Decide", "application": "HN-2026-203", "decision": "approve"}))
            .await
            .body,
        dept.command(json!({"type": "Fly"})).await.body,
    ] {
        assert_no_internals(&body);
    }
}

#[tokio::test]
async fn typed_recommendation_is_the_same_command() {
    let app = demo_app().await;
    let c = Client::new(&app);
    c.login("rec-changsha").await;
    let p = c
        .post(
            "/api/v1/applications/HN-2026-205/recommendation",
            &json!({"opinion": "同意"}),
        )
        .await
        .problem(403);
    assert_eq!(p["code"], "forbidden");
    let c = Client::new(&app);
    c.login("rec-xiangtan").await;
    let r = c
        .post(
            "/api/v1/applications/HN-2026-205/recommendation",
            &json!({"opinion": "同意推荐"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let d = c.get("/api/v1/applications/HN-2026-205").await.json();
    assert_eq!(d["application"]["status"], "recommended");
    assert_eq!(d["recommendation"]["recommender"], "湘潭市科学技术局");
    assert_eq!(
        c.post(
            "/api/v1/applications/HN-2026-205/recommendation",
            &json!({"opinions": "x"})
        )
        .await
        .problem(422)["field"],
        "opinions"
    );
}

#[tokio::test]
async fn eligibility_errors_name_the_field() {
    let app = demo_app().await;
    let c = Client::new(&app);
    let ok = c.post("/api/v1/eligibility", &hunan_application("hn-lgzz")).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let report = ok.json();
    assert_eq!(report["policy"], "hunan-2026");
    assert!(report["findings"].as_array().unwrap().len() > 3);
    assert!(
        report["findings"][0]["article"]
            .as_str()
            .unwrap()
            .starts_with("hunan-2026:")
    );

    // Register facts come from the register, not from the caller: 株洲航空动力部件 was
    // disqualified in August 2026 and is barred from applying (Hunan 第十六条).
    let barred = c
        .post("/api/v1/eligibility", &hunan_application("hn-zzhk"))
        .await
        .json();
    assert_eq!(barred["verdict"], "ineligible", "{barred}");
    let ban = barred["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "registry.not_banned")
        .expect("the ban rule");
    assert_eq!(ban["status"], "fail");

    // Malformed JSON.
    let token = c.csrf().await;
    let r = c
        .raw(
            Method::POST,
            "/api/v1/eligibility",
            Some((
                "application/json",
                "{\"policy\": \"hunan-2026\", \"unit\": {\"uscc\": ".into(),
            )),
            &[("x-csrf-token", &token)],
        )
        .await;
    let p = r.problem(400);
    assert_eq!(p["code"], "malformed_json");
    assert_eq!(p["field"], "unit.uscc");
    assert_no_internals(&r.body);

    // A wrong type, deep inside.
    let mut wrong = hunan_application("hn-lgzz");
    wrong["unit"]["finance"][0]["sales_revenue"] = json!("lots");
    let p = c.post("/api/v1/eligibility", &wrong).await.problem(422);
    assert_eq!(p["field"], "unit.finance[0].sales_revenue");
    assert_eq!(p["code"], "invalid_input");

    // An invalid 统一社会信用代码 (check character).
    let mut bad = hunan_application("hn-lgzz");
    bad["unit"]["uscc"] = json!(format!("{}0", &uscc("hn-lgzz")[..17]).replace(&uscc("hn-lgzz"), "x"));
    let p = c.post("/api/v1/eligibility", &bad).await.problem(422);
    assert_eq!(p["field"], "unit.uscc");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .chars()
            .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch))
    );
    assert!(!p["detail_en"].as_str().unwrap().is_empty());

    // A missing fact, an unknown policy, a date before the policy.
    let mut missing = hunan_application("hn-lgzz");
    missing.as_object_mut().unwrap().remove("director");
    assert_eq!(
        c.post("/api/v1/eligibility", &missing).await.problem(422)["field"],
        "director"
    );
    let mut unknown = hunan_application("hn-lgzz");
    unknown["policy"] = json!("mars-2099");
    assert_eq!(
        c.post("/api/v1/eligibility", &unknown).await.problem(422)["field"],
        "policy"
    );
    let mut early = hunan_application("hn-lgzz");
    early["application_date"] = json!("2025-01-10");
    let p = c.post("/api/v1/eligibility", &early).await.problem(422);
    assert_eq!(p["field"], "application_date");
    assert!(p["article"].as_str().unwrap().starts_with("hunan-2026:"));
    // A bad query parameter is named too.
    assert_eq!(
        c.post("/api/v1/eligibility?as_of=yesterday", &hunan_application("hn-lgzz"))
            .await
            .problem(422)["field"],
        "as_of"
    );
}

#[tokio::test]
async fn objections_through_the_api() {
    let app = demo_app().await;
    let c = Client::new(&app);
    let n = c.get("/api/v1/notices/HN-GS-2026-2").await.json();
    assert_eq!(n["phase"], "running");
    let before = n["objections"].as_u64().unwrap();
    let r = c
        .post(
            "/api/v1/notices/HN-GS-2026-2/objections",
            &json!({"application": "HN-2026-201", "objector_real_name": "王建设", "contact": "13900000000",
                "content": "请核实外方合作协议的有效期。"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.json()["objection"].as_str().unwrap().starts_with("HN-GS-2026-2-"));
    let n = c.get("/api/v1/notices/HN-GS-2026-2").await.json();
    assert_eq!(n["objections"].as_u64().unwrap(), before + 1);
    // Not real-name, and not listed: every field at fault is named.
    let p = c
        .post(
            "/api/v1/notices/HN-GS-2026-2/objections",
            &json!({"application": "HN-2026-999", "objector_real_name": " ", "contact": "x", "content": "y"}),
        )
        .await
        .problem(422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"application") && fields.contains(&"objector_real_name"),
        "{p}"
    );
    // An ended notice: the rules refuse, with the article.
    let p = c
        .post(
            "/api/v1/notices/HN-GS-2026-1/objections",
            &json!({"application": "HN-2026-101", "objector_real_name": "王建设", "contact": "1390000", "content": "迟到的异议"}),
        )
        .await
        .problem(409);
    assert!(p["article"].as_str().is_some(), "{p}");
    assert_eq!(c.get("/api/v1/notices/NOPE").await.problem(404)["code"], "not_found");
}

#[test]
fn a_concurrent_change_is_a_clear_409() {
    let e = WebError::App(guohe_app::AppError::Conflict {
        stream: "application/HN-2026-201".into(),
    });
    let p = e.problem();
    assert_eq!(p.status, 409);
    assert_eq!(p.code, "concurrent_modification");
    assert!(p.detail.contains("他人修改") && p.detail_en.contains("Someone else"));
    // Database failures say nothing of the database.
    let p = WebError::Internal("SQLITE_BUSY: select * from events".into()).problem();
    assert_eq!(p.status, 500);
    assert!(!p.detail_en.to_lowercase().contains("sqlite") && !p.detail.contains("select"));
}

/// 双随机、一公开 through the API (湖南第十五条): a draw is irreversible (428 without
/// `"confirm": true`); without a pool the province's expert accounts are the pool; the other
/// province is refused; a refusal names the field and cites the article.
#[tokio::test]
async fn inspection_draws_through_the_api() {
    let app = demo_app().await;
    let draw = json!({"type": "DrawInspections", "id": "HN-API-DRAW", "policy": "hunan-2026",
        "purpose": "evaluation", "year": 2026, "count": 2, "seed": "api-seed"});
    let hn = Client::new(&app);
    hn.login("hn-dept").await;
    assert_eq!(
        hn.command(draw.clone()).await.problem(428)["code"],
        "confirmation_required"
    );

    let hb = Client::new(&app);
    hb.login("hb-dept").await;
    let mut confirmed = draw.clone();
    confirmed["confirm"] = json!(true);
    assert_eq!(hb.command(confirmed.clone()).await.problem(403)["code"], "forbidden");

    let mut bad = confirmed.clone();
    bad["count"] = json!(0);
    let p = hn.command(bad).await.problem(422);
    assert_eq!(p["field"], "count");
    assert!(p["article"].as_str().unwrap().contains("hunan-2026:15"), "{p}");

    let r = hn.command(confirmed).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let out = r.json();
    assert_eq!(out["events"][0]["kind"], "InspectionsDrawn");
    assert_eq!(out["events"][0]["stream"], "draw/HN-API-DRAW");
    assert_eq!(out["events"][0]["articles"][0], "hunan-2026:15");
    let (pool, selected) = app
        .state
        .guohe
        .read(|w, _, _| {
            let d = w.draw("HN-API-DRAW").unwrap();
            (
                d.event.pool.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
                d.event.selected.len(),
            )
        })
        .await;
    assert_eq!(pool, ["expert-liu", "expert-tang", "expert-xie", "expert-zhou"]);
    assert_eq!(selected, 2);
}

/// 推荐申报国家级基地 through the API (湖北第二十七条): irreversible (428 without `"confirm":
/// true`); the other province is refused; a base that does not qualify is refused naming the base
/// and citing the criterion's article (第二十四条); then the recommendation and its outcome.
#[tokio::test]
async fn national_recommendation_through_the_api() {
    let app = demo_app().await;
    let rec = json!({"type": "RecommendToNational", "policy": "hubei-2022", "year": 2026,
        "document": "鄂科技函〔2026〕31号", "recommended_on": "2026-11-20", "bases": ["HB-2023-01"]});
    let hb = Client::new(&app);
    hb.login("hb-dept").await;
    assert_eq!(
        hb.command(rec.clone()).await.problem(428)["code"],
        "confirmation_required"
    );
    let mut confirmed = rec.clone();
    confirmed["confirm"] = json!(true);
    let hn = Client::new(&app);
    hn.login("hn-dept").await;
    assert_eq!(hn.command(confirmed.clone()).await.problem(403)["code"], "forbidden");

    let mut bad = confirmed.clone();
    bad["bases"] = json!(["HB-2023-02"]);
    let r = hb.command(bad).await;
    assert!(r.status == 409 || r.status == 422, "{}", r.body);
    let p = r.json();
    assert_eq!(p["field"], "bases[0]");
    assert_eq!(p["article"], "hubei-2022:24", "{p}");

    let r = hb.command(confirmed).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["events"][0]["kind"], "RecommendedToNational");
    let outcome = json!({"type": "RecordNationalOutcome", "confirm": true, "base": "HB-2023-01", "year": 2026,
        "outcome": "recognised", "document": "国科发外〔2026〕120号", "effective_on": "2026-11-20"});
    let r = hb.command(outcome).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let out = r.json();
    assert_eq!(out["events"][0]["kind"], "NationalOutcomeRecorded");
    assert!(
        out["events"][0]["articles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "hubei-2022:30"),
        "{out}"
    );
    let list = hb
        .get("/api/v1/national/recommendations?policy=hubei-2022")
        .await
        .json();
    assert_eq!(list[0]["outcome"], "recognised");
}
