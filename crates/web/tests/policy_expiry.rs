//! A regulation past its period of force with no successor loaded (湖北第三十三条: 自2022年8月25日
//! 起施行，有效期5年, so to 2027-08-24). On 2027-09-01 the register keeps working, a new round is
//! refused citing 第三十三条, and the department's dashboard says a successor must be loaded; the
//! other province, whose policy is in force, sees no such warning.

use crate::common;

use chrono::NaiveDate;
use common::*;
use guohe_store::AccountRole;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[tokio::test]
async fn an_expired_policy_without_successor_refuses_rounds_keeps_the_register_and_is_flagged() {
    let app = spawn_with(Options {
        today: d("2027-09-01"),
        ..Options::default()
    })
    .await;
    // A base recognised under the transitional article stays on the register.
    let cmd: guohe_domain::Command = serde_json::from_value(serde_json::json!({
        "type": "CarryOverBase", "base_id": "HB-2019-01", "policy": "hubei-2022",
        "official_name": "湖北省新材料国际科技合作基地", "unit_name": "武汉示范新材料有限公司",
        "uscc": "91420100MA4K56786D", "domain": "新材料", "director": "赵强", "recognised_on": "2019-06-01"
    }))
    .unwrap();
    app.state
        .guohe
        .execute(
            &guohe_domain::Actor::parse("dept:hb-dept").unwrap(),
            d("2027-09-01"),
            cmd,
        )
        .await
        .map_err(|e| e.message_zh())
        .unwrap();

    let register = app.get("/bases").await;
    assert_eq!(register.status, 200);
    assert!(
        register.body.contains("湖北省新材料国际科技合作基地"),
        "{}",
        register.body
    );
    assert_eq!(app.get("/bases/HB-2019-01").await.status, 200);

    app.add_user("hb-dept", AccountRole::Department, None).await;
    app.login("hb-dept", PASSWORD).await;
    let home = app.get("/dept").await;
    assert_eq!(home.status, 200);
    assert!(
        home.body
            .contains("已于 2027-08-24 有效期届满（第三十三条），尚未加载继任办法：新的申报批次将被拒绝"),
        "{}",
        home.body
    );
    assert!(home.body.contains("role=\"alert\" data-policy-alert"));

    let r = app
        .post_form(
            "/dept/rounds",
            "/dept/rounds",
            &[
                ("id", "HB-2027"),
                ("policy", "hubei-2022"),
                ("title", "2027年度申报"),
                ("opens_on", "2027-09-01"),
                ("closes_on", "2027-10-31"),
            ],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body
            .contains("晚于《湖北省国际科技合作基地管理办法》的有效期截止日 2027-08-24"),
        "{}",
        r.body
    );
    assert!(r.body.contains("第三十三条"), "{}", r.body);
    // What the user typed is kept.
    assert!(r.body.contains("2027年度申报"));
    assert!(app.state.guohe.read(|w, _, _| w.round("HB-2027").is_none()).await);

    // Hunan's policy runs to 2031: its department sees no warning.
    app.post_form("/logout", "/logout", &[]).await;
    app.add_user("hn-dept", AccountRole::Department, None).await;
    app.login("hn-dept", PASSWORD).await;
    let home = app.get("/dept").await;
    assert_eq!(home.status, 200);
    assert!(!home.body.contains("data-policy-alert"), "{}", home.body);
}

#[tokio::test]
async fn the_dashboard_warns_half_a_year_before_the_end() {
    let app = spawn_with(Options {
        today: d("2027-03-01"),
        ..Options::default()
    })
    .await;
    app.add_user("hb-dept", AccountRole::Department, None).await;
    app.login("hb-dept", PASSWORD).await;
    let home = app.get("/dept").await;
    assert!(
        home.body
            .contains("的有效期至 2027-08-24 届满（第三十三条），还有 177 天，尚未加载继任办法"),
        "{}",
        home.body
    );
    assert!(home.body.contains("role=\"status\" data-policy-alert"));
}
