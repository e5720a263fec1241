//! The inbox and the department's delivery page on the real server: a unit sets its address
//! (validated), a reminder reaches its inbox, the relay (a receiver on 127.0.0.1 started here)
//! refuses and the department sees the failure and the retry, then a later attempt delivers.

mod common;
#[path = "../../notify/tests/support/smtp.rs"]
mod smtp;

use chrono::{NaiveDate, TimeZone, Utc};
use common::*;
use guohe_domain::{Actor, Command};
use guohe_notify::SmtpConfig;
use guohe_store::AccountRole;
use serde_json::json;

const USCC: &str = "91420100MA4K56786D";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn inbox_address_and_the_departments_view_of_failures() {
    let relay = smtp::Receiver::start().await;
    let vars = relay.vars();
    let cfg = SmtpConfig::from_vars(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
        .unwrap()
        .unwrap();
    let app = spawn_with(Options {
        today: d("2026-12-16"),
        smtp: Some(cfg),
        ..Options::default()
    })
    .await;
    let cmd: Command = serde_json::from_value(json!({"type": "CarryOverBase", "base_id": "HB-OLD-1", "policy": "hubei-2022", "official_name": "湖北省新材料国际科技合作基地", "unit_name": "武汉示范新材料有限公司", "uscc": USCC, "domain": "新材料", "director": "赵强", "partner_country": "DE", "recognised_on": "2019-06-01"})).unwrap();
    app.state
        .guohe
        .execute(&Actor::parse("dept:zhang").unwrap(), d("2026-01-05"), cmd)
        .await
        .unwrap();
    app.add_user("hb-unit", AccountRole::SupportUnit, Some(USCC)).await;
    app.add_user("hb-dept", AccountRole::Department, None).await;

    // The unit's empty inbox, then its address: a bad one is refused naming the field.
    assert_eq!(app.login("hb-unit", PASSWORD).await.status, 303);
    let page = app.get("/inbox").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("暂无通知"), "{}", page.body);
    let r = app
        .post_form("/inbox", "/inbox/email", &[("email", "office@localhost")])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("电子邮箱地址格式不正确"), "{}", r.body);
    let r = app
        .post_form("/inbox", "/inbox/email", &[("email", " office@wh-materials.cn ")])
        .await;
    assert_eq!((r.status, r.location().as_str()), (303, "/inbox?saved=1"));
    assert_eq!(
        app.state.notify.store().email("hb-unit").await.unwrap().as_deref(),
        Some("office@wh-materials.cn")
    );
    assert_eq!(app.audit("NotificationAddressChanged").await.len(), 1);

    // The pass on the 30-day stage with the relay refusing: in the inbox, mail pending.
    relay.refuse(true);
    let now = Utc.with_ymd_and_hms(2026, 12, 16, 1, 0, 0).unwrap();
    let r = app
        .state
        .notify
        .run_pass(&app.state.guohe, d("2026-12-16"), now)
        .await
        .unwrap();
    assert_eq!((r.enqueued, r.sent, r.retrying), (1, 0, 1));
    let page = app.get("/inbox").await;
    assert!(
        page.body.contains("30天后截止") && page.body.contains("待发送"),
        "{}",
        page.body
    );
    assert!(page.body.contains("href=\"/unit/bases/HB-OLD-1\""));
    assert!(page.body.contains("<strong class=\"unread\">1</strong>"));
    let id = app.state.notify.store().inbox("hb-unit", 0, 1).await.unwrap()[0].id;

    // Only its owner can mark it read.
    app.post_form("/inbox", "/logout", &[]).await;
    assert_eq!(app.login("hb-dept", PASSWORD).await.status, 303);
    let r = app.post_form("/inbox", &format!("/inbox/{id}/read"), &[]).await;
    assert_eq!(r.status, 404);

    // The department sees the failure, the relay's words and the retry time.
    let page = app.get("/dept/notifications").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("hb-unit") && page.body.contains("451") && page.body.contains("2026-12-16 09:01"),
        "{}",
        page.body
    );

    // The relay is back: the next attempt delivers, the list empties.
    relay.refuse(false);
    let r = app
        .state
        .notify
        .send_due(now + chrono::Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(r.sent, 1);
    assert_eq!(relay.received().len(), 1);
    let page = app.get("/dept/notifications").await;
    assert!(page.body.contains("没有发送失败或待重试的邮件"), "{}", page.body);

    // Back as the unit: mark read.
    app.post_form("/inbox", "/logout", &[]).await;
    assert_eq!(app.login("hb-unit", PASSWORD).await.status, 303);
    let r = app.post_form("/inbox", &format!("/inbox/{id}/read?page=1"), &[]).await;
    assert_eq!((r.status, r.location().as_str()), (303, "/inbox?page=1"));
    let page = app.get("/inbox").await;
    assert!(page.body.contains("<strong class=\"unread\">0</strong>") && page.body.contains("已发送"));
    assert_eq!(app.get("/inbox?page=abc").await.status, 400);
}

/// The department's reminders on the demo data: a 公示 ending with an objection open (the day
/// before and the day it ends) and a rectification period ending (30 and 7 days before, and the
/// day itself), each for the right audience.
#[tokio::test]
async fn department_reminders_on_the_demo_data() {
    use guohe_app::due::{Audience, ReminderKind, reminders_on};
    use guohe_domain::BaseStatus;
    let app = spawn_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let (ends_on, until) = app
        .state
        .guohe
        .read(|w, _, _| {
            let n = w.notice("HN-GS-2026-2").unwrap().ends_on;
            let until = match w.base("HN-2018-05").unwrap().status {
                BaseStatus::UnderRectification { until } => until,
                s => panic!("HN-2018-05 is {s:?}"),
            };
            (n, until)
        })
        .await;
    let on = |day: NaiveDate| {
        let g = app.state.guohe.clone();
        async move { g.read(|w, _, p| reminders_on(w, p, day)).await }
    };
    let keys = |r: &[guohe_app::due::Reminder], kind: ReminderKind| -> Vec<String> {
        r.iter().filter(|x| x.kind == kind).map(|x| x.key.clone()).collect()
    };
    let day = chrono::Days::new(1);
    let r = on(ends_on - day - day).await;
    assert!(keys(&r, ReminderKind::NoticeObjections).is_empty());
    let r = on(ends_on - day).await;
    assert_eq!(
        keys(&r, ReminderKind::NoticeObjections),
        ["notice_objections:notice/HN-GS-2026-2:d-1"]
    );
    let n = r.iter().find(|x| x.kind == ReminderKind::NoticeObjections).unwrap();
    assert_eq!(n.audience, [Audience::Department]);
    assert!(n.body.contains("1项实名异议未处理"), "{}", n.body);
    assert_eq!(n.link_for(&Audience::Department), "/dept/notices/HN-GS-2026-2");
    let r = on(ends_on).await;
    assert_eq!(
        keys(&r, ReminderKind::NoticeObjections),
        ["notice_objections:notice/HN-GS-2026-2:ends"]
    );

    let rect = |r: &[guohe_app::due::Reminder]| keys(r, ReminderKind::RectificationEnding);
    assert!(rect(&on(until - chrono::Days::new(31)).await).is_empty());
    assert_eq!(
        rect(&on(until - chrono::Days::new(30)).await),
        [format!("rectification:base/HN-2018-05:{until}:d-30")]
    );
    assert_eq!(
        rect(&on(until - chrono::Days::new(8)).await),
        [format!("rectification:base/HN-2018-05:{until}:d-30")]
    );
    assert_eq!(
        rect(&on(until - chrono::Days::new(7)).await),
        [format!("rectification:base/HN-2018-05:{until}:d-7")]
    );
    let r = on(until).await;
    assert_eq!(rect(&r), [format!("rectification:base/HN-2018-05:{until}:ends")]);
    let x = r.iter().find(|x| x.kind == ReminderKind::RectificationEnding).unwrap();
    assert_eq!(x.audience[0], Audience::Department);
    assert!(x.body.contains("第十五条"), "{}", x.body);
}
