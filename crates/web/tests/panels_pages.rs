//! 评审专家随机抽取 over HTTP on the demo data (湖南第九条第3项): the department previews the
//! panel of HN-2026-204 on a confirmation page quoting the article, confirms it, sees the panel,
//! the reserves in order and every exclusion with its ground by name and unit, records a member
//! declining (the next reserve is called in); the panel is read through the API by the
//! department and kept from the applicant until the decision; the other province's department
//! may not draw it. Inspection draws are read through the API and name their inspectors.

use crate::pages_support;

use chrono::NaiveDate;
use guohe_domain::ExpertPanelDrawn;
use guohe_store::{AccountProfile, AccountRole};
use guohe_web::accounts::{NewUser, create_account};
use pages_support::*;

/// A valid USCC registered in a division.
fn uscc_in(division: &str, n: u32) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let stem = format!("91{division}00{n:06}");
    for a in CHARS.chars() {
        for b in CHARS.chars() {
            let code = format!("{stem}{a}{b}");
            if guohe_reference::uscc::is_valid(&code) {
                return code;
            }
        }
    }
    panic!("no valid USCC for {division}/{n}");
}

async fn expert(s: &Server, login: &str, name: &str, unit: &str, unit_name: &str, domain: &str) {
    create_account(
        &s.state,
        "admin:test",
        NewUser {
            login: login.into(),
            display_name: name.into(),
            role: AccountRole::Expert,
            org_id: Some(unit.into()),
            password: DEMO_PASSWORD.into(),
            province: "43".into(),
            must_change_password: false,
            profile: AccountProfile {
                title: "教授".into(),
                unit_name: unit_name.into(),
                domains: vec![domain.into()],
            },
            pending_approval: false,
        },
    )
    .await
    .expect("expert created");
}

fn record_of(html: &str) -> ExpertPanelDrawn {
    let tag = "<pre class=\"record\" id=\"panel-record\">";
    let start = html.find(tag).expect("record") + tag.len();
    let end = start + html[start..].find("</pre>").unwrap();
    serde_json::from_str(&unescape(&html[start..end])).expect("the record parses")
}

const APP: &str = "HN-2026-204";
const PAGE: &str = "/dept/applications/HN-2026-204/panel";

#[tokio::test]
async fn preview_confirm_show_decline_and_read_a_panel() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(
        &dir.path().join("g.db"),
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        true,
    )
    .await;
    // HN-2026-204 (氢能装备) is recommended and awaits review. Six experts of the domain, one
    // of them from the applicant's own unit.
    let applicant = s
        .state
        .guohe
        .read(|w, _, _| w.application(APP).map(|a| a.facts.unit.uscc.clone()))
        .await
        .expect("demo application");
    expert(&s, "hn-own", "欧阳本", &applicant, "申报单位", "氢能装备").await;
    expert(
        &s,
        "hn-chem",
        "化学家",
        &uscc_in("430100", 69),
        "长沙化工研究院",
        "精细化工",
    )
    .await;
    for i in 1..=5 {
        expert(
            &s,
            &format!("hn-p{i}"),
            &format!("专家{i}号"),
            &uscc_in("430100", 70 + i),
            &format!("长沙第{i}研究院"),
            "氢能装备",
        )
        .await;
    }
    let dept = Browser::new(&s);
    dept.login("hn-dept").await;
    let page = dept.get(PAGE).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("name=\"seed\""), "the form: {}", page.body);
    assert!(
        dept.get("/dept/applications/HN-2026-204").await.body.contains(PAGE),
        "linked from the application's page"
    );

    // No seed: the field is named, nothing is drawn.
    let r = dept.post_form(PAGE, PAGE, &[("seed", ""), ("size", "3")]).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("seed-err"), "{}", r.body);
    // Too small a panel: refused with the article, what was typed kept.
    let r = dept.post_form(PAGE, PAGE, &[("seed", "湘-204"), ("size", "2")]).await;
    assert!(r.status >= 400 && r.body.contains("第九条"), "{}", r.body);
    assert!(r.body.contains("value=\"湘-204\""), "{}", r.body);

    // The preview quotes the article and names experts by name and unit; nothing recorded.
    let preview = dept
        .post_form(PAGE, PAGE, &[("seed", "湘-204-专家"), ("size", "3")])
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("请确认") && preview.body.contains("第九条"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("（长沙第"), "names and units: {}", preview.body);
    assert!(preview.body.contains("欧阳本（申报单位）"), "{}", preview.body);
    assert!(!preview.body.contains("hn-p1"), "no login: {}", preview.body);
    assert!(dept.get(PAGE).await.body.contains("name=\"seed\""), "not drawn yet");

    let r = dept.confirm(&preview.body, PAGE).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location, PAGE);
    let page = dept.get(PAGE).await;
    let x = record_of(&page.body);
    assert_eq!(x.seed, "湘-204-专家");
    assert_eq!((x.panel.len(), x.reserves.len()), (3, 2));
    assert_eq!(x.rerun(), (x.panel.clone(), x.reserves.clone()));
    let ground = |e: &str| x.exclusions.iter().find(|g| g.expert == e).map(|g| g.reason.clone());
    assert_eq!(ground("hn-own").as_deref(), Some("own_unit"));
    assert_eq!(
        ground("expert-zhou").as_deref(),
        Some("own_unit"),
        "周立新 works at the applicant"
    );
    assert_eq!(ground("hn-chem").as_deref(), Some("domain"));
    // 刘建国 reviews 氢能装备 but reviewed the same unit's HN-2026-103 this year.
    let liu = x
        .exclusions
        .iter()
        .find(|g| g.expert == "expert-liu")
        .expect("kept off");
    assert_eq!(
        (liu.reason.as_str(), liu.detail.as_str()),
        ("recent_review", "HN-2026-103")
    );
    assert!(page.body.contains("近期评审过同一单位"), "{}", page.body);
    assert!(
        page.body.contains("本单位专家") && page.body.contains("技术领域不符"),
        "{}",
        page.body
    );
    assert!(page.body.contains("欧阳本（申报单位）"), "{}", page.body);

    // Read through the API by the department; the applicant does not see it before the decision.
    let api = dept.get("/api/v1/applications/HN-2026-204/panel").await;
    assert_eq!(api.status, 200, "{}", api.body);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["record"]["seed"], "湘-204-专家");
    assert_eq!(v["reserves_left"].as_array().unwrap().len(), 2);
    let unit = Browser::new(&s);
    unit.login("hn-zzgd").await;
    assert_eq!(unit.get("/api/v1/applications/HN-2026-204/panel").await.status, 404);
    assert_eq!(
        Browser::new(&s).get("/panels/HN-2026-204").await.status,
        404,
        "published once decided"
    );

    // The first reserve declares a conflict: when a member declines, the domain passes over
    // that reserve, and the confirmation names the one it will call in, the second.
    let conflicted = x.reserves[0].clone();
    let called = x.reserves[1].clone();
    let declare: guohe_domain::Command = serde_json::from_value(serde_json::json!({
        "type": "DeclareConflict", "application": APP, "expert": conflicted, "reason": "曾与申报单位合作"
    }))
    .unwrap();
    let as_expert = guohe_domain::Actor::parse(&format!("expert:{conflicted}")).unwrap();
    s.state
        .guohe
        .execute(&as_expert, s.state.today(), declare)
        .await
        .expect("the reserve declares a conflict");
    let names = s.state.accounts.accounts().await.unwrap();
    let name_of = |login: &str| {
        names
            .iter()
            .find(|a| a.login == login)
            .map(|a| a.display_name.clone())
            .expect("an expert account")
    };

    // A member declines, behind a confirmation naming the next reserve; the reserve is called in.
    let first = x.panel[0].clone();
    let stranger = dept
        .post_form(
            PAGE,
            "/dept/applications/HN-2026-204/panel/decline",
            &[("expert", "hn-chem"), ("reason", "不在评审组")],
        )
        .await;
    assert!(
        stranger.status >= 400
            && stranger.body.contains("不在该申报的评审专家中")
            && stranger.body.contains("value=\"不在评审组\""),
        "refused before any confirmation, what was typed kept: {}",
        stranger.body
    );
    let preview = dept
        .post_form(
            PAGE,
            "/dept/applications/HN-2026-204/panel/decline",
            &[("expert", first.as_str()), ("reason", "出国访问")],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("请确认") && preview.body.contains("第九条"),
        "{}",
        preview.body
    );
    let next = preview
        .body
        .split("下一位候补")
        .nth(1)
        .expect("the next reserve is named");
    let next = &next[..next.find("</dd>").unwrap_or(next.len())];
    assert!(
        next.contains(&name_of(&called)) && !next.contains(&name_of(&conflicted)),
        "the reserve the domain calls in, not the conflicted one: {next}"
    );
    let r = dept
        .confirm(&preview.body, "/dept/applications/HN-2026-204/panel/decline")
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let after = s
        .state
        .guohe
        .read(|w, _, _| {
            w.application(APP)
                .map(|a| a.experts.keys().cloned().collect::<Vec<_>>())
        })
        .await
        .unwrap();
    assert!(
        !after.contains(&first) && after.contains(&called) && !after.contains(&conflicted),
        "{after:?}"
    );
    let page = dept.get(PAGE).await;
    assert!(
        page.body.contains("出国访问") && page.body.contains("谢绝与递补"),
        "{}",
        page.body
    );

    // Reviewed and decided: the panel is published with its seed and record.
    let seated = after.iter().filter(|e| **e != first).cloned().collect::<Vec<_>>();
    let run = |actor: String, cmd: serde_json::Value| {
        let g = s.state.guohe.clone();
        let on = s.state.today();
        async move {
            let actor = guohe_domain::Actor::parse(&actor).unwrap();
            let cmd: guohe_domain::Command = serde_json::from_value(cmd).unwrap();
            g.execute(&actor, on, cmd).await.expect("done");
        }
    };
    for e in &seated {
        run(
            format!("expert:{e}"),
            serde_json::json!({"type": "SubmitReview", "application": APP, "expert": e, "score": 86,
                               "conclusion": "recommend", "comments": "技术路线清晰"}),
        )
        .await;
    }
    run(
        "dept:wang".into(),
        serde_json::json!({"type": "Decide", "application": APP, "decision": "approve", "reasons": "同意"}),
    )
    .await;
    let public = Browser::new(&s);
    let published = public.get("/panels/HN-2026-204").await;
    assert_eq!(published.status, 200, "{}", published.body);
    assert_eq!(record_of(&published.body), x, "the record as drawn");
    assert!(published.body.contains("湘-204-专家") && published.body.contains("出国访问"));
    assert!(public.get("/draws").await.body.contains("/panels/HN-2026-204"));
    assert_eq!(unit.get("/api/v1/applications/HN-2026-204/panel").await.status, 200);

    // Never redrawn; the other province's department may not touch it.
    let again = dept.post_form(PAGE, PAGE, &[("seed", "again"), ("size", "3")]).await;
    assert!(again.status >= 400, "{}", again.body);
    let hb = Browser::new(&s);
    hb.login("hb-dept").await;
    assert_eq!(hb.get(PAGE).await.status, 403);
    let r = hb.post_form("/dept", PAGE, &[("seed", "x"), ("size", "3")]).await;
    assert_eq!(r.status, 403, "{}", r.body);
}

/// Inspection draws through the API (the list and one draw with its record), and the draw's
/// page names the inspectors rather than their logins.
#[tokio::test]
async fn inspection_draws_are_read_through_the_api_and_name_their_inspectors() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(
        &dir.path().join("g.db"),
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        true,
    )
    .await;
    let dept = Browser::new(&s);
    dept.login("hn-dept").await;
    let form = [
        ("id", "HN-DRAW-API"),
        ("policy", "hunan-2026"),
        ("purpose", "evaluation"),
        ("year", "2026"),
        ("share", "1"),
        ("strata", "none"),
        ("seed", "湘-API"),
    ];
    let preview = dept.post_form("/dept/draws", "/dept/draws", &form).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        !preview.body.contains("expert-"),
        "names on the preview: {}",
        preview.body
    );
    let r = dept.confirm(&preview.body, "/dept/draws").await;
    assert_eq!(r.status, 303, "{}", r.body);

    let public = Browser::new(&s);
    let list = public.get("/api/v1/draws?per_page=5").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let v: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["id"], "HN-DRAW-API");
    assert_eq!(v["items"][0]["seed"], "湘-API");
    let one = public.get("/api/v1/draws/HN-DRAW-API").await;
    assert_eq!(one.status, 200, "{}", one.body);
    let v: serde_json::Value = serde_json::from_str(&one.body).unwrap();
    assert_eq!(v["record"]["seed"], "湘-API");
    assert_eq!(v["record"]["algorithm"], "guohe-draw/1");
    let record: guohe_domain::InspectionsDrawn = serde_json::from_value(v["record"].clone()).unwrap();
    assert_eq!(record.rerun().expect("reruns").selected, record.selected);
    assert_eq!(public.get("/api/v1/draws/NOPE").await.status, 404);
    let bad = public.get("/api/v1/draws?page=0").await;
    assert_eq!(bad.status, 422, "{}", bad.body);

    // The public page names inspectors (刘建国 …) in the selection, not logins.
    let page = public.get("/draws/HN-DRAW-API").await;
    let table_start = page.body.find("<table class=\"data\">").unwrap();
    let table = &page.body[table_start..table_start + page.body[table_start..].find("</table>").unwrap()];
    assert!(!table.contains("expert-"), "{table}");
    assert!(
        table.contains("（教授）") || table.contains("（研究员）") || table.contains("（正高级工程师）"),
        "{table}"
    );
}
