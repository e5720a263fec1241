//! The inbox and the department's delivery page on the real server: a unit sets its address
//! (validated) on "my account" — the one address an account has, sealed in its personal
//! information — a reminder reaches its inbox, the relay (a receiver on 127.0.0.1 started here)
//! refuses and the department sees the failure and the retry, then a later attempt delivers.
//! The address never stands readable in the database file, and once the person is erased the
//! notifier treats the account as having none.

use crate::common;
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

/// Sets the signed-in account's e-mail address through the "my account" page form.
async fn set_email(app: &TestApp, email: &str) -> Resp {
    app.post_form(
        "/account",
        "/account/personal",
        &[("phone", ""), ("email", email), ("action", "save")],
    )
    .await
}

fn relay_config(relay: &smtp::Receiver) -> SmtpConfig {
    let vars = relay.vars();
    SmtpConfig::from_vars(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
        .unwrap()
        .unwrap()
}

/// A Hubei base whose annual report is due 2027-01-15, and its unit's account.
async fn unit_with_a_base(app: &TestApp) {
    let cmd: Command = serde_json::from_value(json!({"type": "CarryOverBase", "base_id": "HB-OLD-1", "policy": "hubei-2022", "official_name": "湖北省新材料国际科技合作基地", "unit_name": "武汉示范新材料有限公司", "uscc": USCC, "domain": "新材料", "director": "赵强", "partner_country": "DE", "recognised_on": "2019-06-01"})).unwrap();
    app.state
        .guohe
        .execute(&Actor::parse("dept:zhang").unwrap(), d("2026-01-05"), cmd)
        .await
        .unwrap();
    app.add_user("hb-unit", AccountRole::SupportUnit, Some(USCC)).await;
}

#[tokio::test]
async fn inbox_address_and_the_departments_view_of_failures() {
    let relay = smtp::Receiver::start().await;
    let app = spawn_with(Options {
        today: d("2026-12-16"),
        smtp: Some(relay_config(&relay)),
        ..Options::default()
    })
    .await;
    unit_with_a_base(&app).await;
    app.add_user("hb-dept", AccountRole::Department, None).await;

    // The unit's empty inbox, no address yet and where to set one; then its address on "my
    // account": a bad one is refused naming the field.
    assert_eq!(app.login("hb-unit", PASSWORD).await.status, 303);
    let page = app.get("/inbox").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("暂无通知"), "{}", page.body);
    assert!(
        page.body.contains("尚未设置电子邮箱") && page.body.contains("href=\"/account#personal\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("action=\"/inbox/email\""), "no second address form");
    let r = set_email(&app, "office@localhost").await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("电子邮箱格式不正确"), "{}", r.body);
    assert_eq!(app.state.guohe.account_email("hb-unit").await.unwrap(), None);
    let r = set_email(&app, " office@wh-materials.cn ").await;
    assert_eq!((r.status, r.location().as_str()), (303, "/account?saved=1"));
    assert_eq!(
        app.state.guohe.account_email("hb-unit").await.unwrap().as_deref(),
        Some("office@wh-materials.cn")
    );
    assert_eq!(app.audit("AccountPersonalDataChanged").await.len(), 1);
    // The inbox says where reminders go, masked, and links to the one place to change it.
    let page = app.get("/inbox").await;
    assert!(
        page.body.contains("o***@wh-materials.cn") && page.body.contains("href=\"/account#personal\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("office@wh-materials.cn"));

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

    // Another province's department sees none of it.
    app.add_user("hn-dept-2", AccountRole::Department, None).await;
    app.post_form("/dept/notifications", "/logout", &[]).await;
    assert_eq!(app.login("hn-dept-2", PASSWORD).await.status, 303);
    let other = app.get("/dept/notifications").await;
    assert_eq!(other.status, 200);
    assert!(
        !other.body.contains("hb-unit") && other.body.contains("没有发送失败或待重试的邮件"),
        "{}",
        other.body
    );
    app.post_form("/dept/notifications", "/logout", &[]).await;
    assert_eq!(app.login("hb-dept", PASSWORD).await.status, 303);

    // The relay is back: the next attempt delivers, the list empties.
    relay.refuse(false);
    let r = app
        .state
        .notify
        .send_due(&app.state.guohe, now + chrono::Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(r.sent, 1);
    assert_eq!(relay.received().len(), 1);
    assert_eq!(relay.received()[0].to, ["office@wh-materials.cn"]);
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

/// The database file and its write-ahead log, as bytes (the key file sits beside them).
fn database_bytes(app: &TestApp) -> Vec<u8> {
    let key_file = app
        .state
        .guohe
        .vault()
        .key_file()
        .expect("a key file beside the database");
    let dir = key_file.parent().unwrap();
    let mut bytes = std::fs::read(dir.join("guohe.db")).unwrap();
    if let Ok(wal) = std::fs::read(dir.join("guohe.db-wal")) {
        bytes.extend(wal);
    }
    bytes
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_address_set_on_my_account_is_mailed_to_unreadable_in_the_database_and_gone_once_erased() {
    const ADDRESS: &str = "zhao.qiang@wh-materials.cn";
    let relay = smtp::Receiver::start().await;
    let app = spawn_with(Options {
        today: d("2026-12-16"),
        smtp: Some(relay_config(&relay)),
        ..Options::default()
    })
    .await;
    unit_with_a_base(&app).await;
    assert_eq!(app.login("hb-unit", PASSWORD).await.status, 303);
    let r = set_email(&app, ADDRESS).await;
    assert_eq!((r.status, r.location().as_str()), (303, "/account?saved=1"));

    // The 30-day reminder is mailed to the address from the personal field.
    let now = Utc.with_ymd_and_hms(2026, 12, 16, 1, 0, 0).unwrap();
    let r = app
        .state
        .notify
        .run_pass(&app.state.guohe, d("2026-12-16"), now)
        .await
        .unwrap();
    assert_eq!((r.enqueued, r.sent), (1, 1));
    let got = relay.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, [ADDRESS]);
    assert_eq!(
        got[0].header("X-Guohe-Key").as_deref(),
        Some("annual_report:base/HB-OLD-1:2026:d-30:hb-unit")
    );

    // Neither the database file nor its log holds the address; the message itself is there.
    let bytes = database_bytes(&app);
    assert!(
        contains(&bytes, "annual_report:base/HB-OLD-1"),
        "the outbox row is in the file read"
    );
    assert!(
        !contains(&bytes, ADDRESS),
        "the address is readable in the database file"
    );
    assert!(
        !contains(&bytes, "zhao.qiang"),
        "part of the address is readable in the database file"
    );

    // The 7-day reminder is queued while the relay refuses; then the person is erased.
    relay.refuse(true);
    let now = Utc.with_ymd_and_hms(2027, 1, 8, 1, 0, 0).unwrap();
    let r = app
        .state
        .notify
        .run_pass(&app.state.guohe, d("2027-01-08"), now)
        .await
        .unwrap();
    assert_eq!((r.enqueued, r.sent, r.retrying), (1, 0, 1));
    assert!(
        app.state
            .guohe
            .erase_person("account/hb-unit", "system:admin", d("2027-01-08"))
            .await
            .unwrap()
    );
    assert_eq!(app.state.guohe.account_email("hb-unit").await.unwrap(), None);

    // The relay is back, but there is no address: the mail fails for good, saying why.
    relay.refuse(false);
    let r = app
        .state
        .notify
        .send_due(&app.state.guohe, now + chrono::Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!((r.sent, r.retrying, r.failed), (0, 0, 1));
    assert_eq!(relay.received().len(), 1, "nothing more was mailed");
    let inbox = app.state.notify.store().inbox("hb-unit", 0, 10).await.unwrap();
    assert_eq!(inbox.len(), 2, "the messages stay in the inbox");
    assert_eq!(inbox[0].mail_state, guohe_store::MailState::Failed);
    let reason = inbox[0].last_error.clone().unwrap_or_default();
    assert!(
        reason.contains("收件人没有电子邮箱地址") && reason.contains("no e-mail address"),
        "{reason}"
    );

    // The next reminder is inbox only; the page shows the message and no address.
    let r = app
        .state
        .notify
        .run_pass(&app.state.guohe, d("2027-01-14"), now + chrono::Duration::days(6))
        .await
        .unwrap();
    assert_eq!((r.enqueued, r.sent, r.failed), (1, 0, 0));
    let inbox = app.state.notify.store().inbox("hb-unit", 0, 10).await.unwrap();
    assert_eq!(inbox.len(), 3);
    assert_eq!(inbox[0].mail_state, guohe_store::MailState::None);
    let page = app.get("/inbox").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<strong class=\"total\">3</strong>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("尚未设置电子邮箱") && page.body.contains("发送失败"),
        "{}",
        page.body
    );
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
