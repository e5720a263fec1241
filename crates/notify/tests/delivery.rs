//! Reminders delivered to an SMTP receiver started by the test on 127.0.0.1: exactly once on
//! their day, even when the pass runs twice or two servers run it on one database (SQLite, and
//! PostgreSQL on 127.0.0.1:5432 unless GUOHE_SKIP_POSTGRES=1); a relay that refuses or is
//! down leaves the mail pending and a later pass delivers it; events reach the expert.

mod support;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use guohe_app::Guohe;
use guohe_app::personal::AccountField;
use guohe_domain::{Actor, Command};
use guohe_keys::KeyLocation;
use guohe_notify::{Notifier, SmtpConfig};
use guohe_policy::PolicySet;
use guohe_store::{AccountRole, AccountStore, MailState, NewAccount};
use serde_json::json;
use support::smtp::Receiver;

const UNIT_USCC: &str = "91420100MA4K56786D";
const BASE: &str = "HB-OLD-1";
const HUBEI: &str = include_str!("../../../examples/applications/hubei-enterprise.json");

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    let day = d(s);
    Utc.from_utc_datetime(&day.and_hms_opt(1, 0, 0).unwrap())
}

fn cmd(v: serde_json::Value) -> Command {
    serde_json::from_value(v).unwrap()
}

fn smtp(r: &Receiver) -> SmtpConfig {
    let vars = r.vars();
    SmtpConfig::from_vars(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
        .unwrap()
        .unwrap()
}

struct Server {
    guohe: Guohe,
    notifier: Notifier,
}

async fn server(url: &str, relay: Option<&Receiver>) -> Server {
    server_with_keys(url, KeyLocation::for_database(url), relay).await
}

/// Servers sharing a database share its key file (on PostgreSQL not beside the database: here
/// in the test's own directory, not the working one).
async fn server_with_keys(url: &str, keys: KeyLocation, relay: Option<&Receiver>) -> Server {
    let guohe = Guohe::open_with_keys(url, PolicySet::default(), keys).await.unwrap();
    let accounts = AccountStore::open(guohe.log()).await.unwrap();
    let cfg = relay.map(smtp);
    let notifier = Notifier::open(guohe.log(), accounts, cfg.as_ref()).await.unwrap();
    Server { guohe, notifier }
}

/// A Hubei base on the register since 2026-01-05 and the accounts: the unit (with an
/// address), the department, an expert.
async fn seed(s: &Server) {
    s.guohe
        .execute(
            &Actor::parse("dept:zhang").unwrap(),
            d("2026-01-05"),
            cmd(json!({"type": "CarryOverBase", "base_id": BASE, "policy": "hubei-2022", "official_name": "湖北省新材料国际科技合作基地", "unit_name": "武汉示范新材料有限公司", "uscc": UNIT_USCC, "domain": "新材料", "director": "赵强", "partner_country": "DE", "recognised_on": "2019-06-01"})),
        )
        .await
        .unwrap();
    let accounts = AccountStore::open(s.guohe.log()).await.unwrap();
    for (login, role, org) in [
        ("hb-unit", AccountRole::SupportUnit, Some(UNIT_USCC)),
        ("hb-dept", AccountRole::Department, None),
        ("e0", AccountRole::Expert, Some("12100000441626842D")),
    ] {
        accounts
            .create_account(
                &NewAccount {
                    login: login.into(),
                    display_name: login.into(),
                    role,
                    org_id: org.map(Into::into),
                    password_hash: "unused".into(),
                    province: "42".into(),
                    must_change_password: false,
                    profile: Default::default(),
                    pending_approval: false,
                },
                Utc::now(),
            )
            .await
            .unwrap();
    }
    set_email(s, "hb-unit", "office@wh-materials.cn").await;
    set_email(s, "e0", "e0@experts.cn").await;
}

/// Sets an account's address the one way there is: its sealed personal e-mail field.
async fn set_email(s: &Server, login: &str, email: &str) {
    s.guohe
        .set_account_field(
            login,
            AccountField::Email,
            email,
            &format!("account:{login}"),
            d("2026-01-05"),
        )
        .await
        .unwrap();
}

fn keys(r: &Receiver) -> Vec<String> {
    let mut k: Vec<String> = r.received().iter().filter_map(|m| m.header("X-Guohe-Key")).collect();
    k.sort();
    k
}

#[tokio::test]
async fn a_reminder_reaches_the_receiver_once_on_its_day() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let relay = Receiver::start().await;
    let s = server(&url, Some(&relay)).await;
    seed(&s).await;

    // The day before the 30-day stage: nothing.
    let r = s
        .notifier
        .run_pass(&s.guohe, d("2026-12-15"), at("2026-12-15"))
        .await
        .unwrap();
    assert_eq!((r.enqueued, r.sent), (0, 0));
    assert!(relay.received().is_empty());

    // 30 days before 15 January: the unit's mail goes out, once.
    let r = s
        .notifier
        .run_pass(&s.guohe, d("2026-12-16"), at("2026-12-16"))
        .await
        .unwrap();
    assert_eq!((r.enqueued, r.sent), (1, 1));
    s.notifier
        .run_pass(&s.guohe, d("2026-12-16"), at("2026-12-16"))
        .await
        .unwrap();
    s.notifier
        .run_pass(&s.guohe, d("2026-12-20"), at("2026-12-20"))
        .await
        .unwrap();
    assert_eq!(keys(&relay), ["annual_report:base/HB-OLD-1:2026:d-30:hb-unit"]);
    let mail = &relay.received()[0];
    assert_eq!(mail.to, ["office@wh-materials.cn"]);
    assert!(mail.from.contains("guohe@example.gov.cn"));
    assert_eq!(mail.hello, "guohe.test");
    assert!(
        mail.data.contains("Content-Type: text/plain; charset=utf-8"),
        "{}",
        mail.data
    );

    // A server restart (a new notifier on the same database) sends nothing again.
    let again = server(&url, Some(&relay)).await;
    let r = again
        .notifier
        .run_pass(&again.guohe, d("2026-12-16"), at("2026-12-16"))
        .await
        .unwrap();
    assert_eq!(r, Default::default());
    assert_eq!(relay.received().len(), 1);

    // The 7-day stage.
    s.notifier
        .run_pass(&s.guohe, d("2027-01-08"), at("2027-01-08"))
        .await
        .unwrap();
    assert_eq!(
        keys(&relay),
        [
            "annual_report:base/HB-OLD-1:2026:d-30:hb-unit",
            "annual_report:base/HB-OLD-1:2026:d-7:hb-unit"
        ]
    );

    // The inbox has both; the department (no address) got none of these.
    let inbox = s.notifier.store().inbox("hb-unit", 0, 50).await.unwrap();
    assert_eq!(inbox.len(), 2);
    assert!(
        inbox
            .iter()
            .all(|m| m.mail_state == MailState::Sent && m.link == "/unit/bases/HB-OLD-1")
    );
    assert!(inbox[0].subject.contains("7天后截止"), "{}", inbox[0].subject);
    assert!(s.notifier.store().inbox("hb-dept", 0, 50).await.unwrap().is_empty());

    // Missed: the unit and the department (inbox only: no address) hear of it.
    s.notifier
        .run_pass(&s.guohe, d("2027-01-16"), at("2027-01-16"))
        .await
        .unwrap();
    assert_eq!(relay.received().len(), 3, "{:?}", keys(&relay));
    let dept = s.notifier.store().inbox("hb-dept", 0, 50).await.unwrap();
    assert_eq!(dept.len(), 1);
    assert_eq!(dept[0].mail_state, MailState::None);
    assert_eq!(dept[0].link, "/dept/bases/HB-OLD-1");
}

async fn two_servers_send_once(url: &str) {
    let relay = Receiver::start().await;
    let key_dir = tempfile::tempdir().unwrap();
    let key_file = KeyLocation::File(key_dir.path().join("guohe.keys.json"));
    let a = server_with_keys(url, key_file.clone(), Some(&relay)).await;
    let b = server_with_keys(url, key_file, Some(&relay)).await;
    seed(&a).await;
    for day in ["2026-12-16", "2026-12-17", "2027-01-08", "2027-01-14"] {
        let (ra, rb) = tokio::join!(
            a.notifier.run_pass(&a.guohe, d(day), at(day)),
            b.notifier.run_pass(&b.guohe, d(day), at(day))
        );
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        // However the two raced, one of them inserted and one of them sent.
        if day != "2026-12-17" {
            assert_eq!(ra.enqueued + rb.enqueued, 1, "{day}: {ra:?} {rb:?}");
            assert_eq!(ra.sent + rb.sent, 1, "{day}: {ra:?} {rb:?}");
        }
    }
    assert_eq!(
        keys(&relay),
        [
            "annual_report:base/HB-OLD-1:2026:d-1:hb-unit",
            "annual_report:base/HB-OLD-1:2026:d-30:hb-unit",
            "annual_report:base/HB-OLD-1:2026:d-7:hb-unit"
        ]
    );
    // The inbox queries on this backend too.
    let store = a.notifier.store();
    let inbox = store.inbox("hb-unit", 0, 2).await.unwrap();
    assert_eq!(inbox.len(), 2);
    assert!(inbox[0].id > inbox[1].id, "newest first");
    assert_eq!(store.inbox("hb-unit", 2, 2).await.unwrap().len(), 1);
    assert_eq!(store.inbox_counts("hb-unit").await.unwrap(), (3, 3));
    assert!(store.mark_read("hb-unit", inbox[0].id, Utc::now()).await.unwrap());
    assert!(!store.mark_read("hb-dept", inbox[1].id, Utc::now()).await.unwrap());
    assert_eq!(store.inbox_counts("hb-unit").await.unwrap(), (3, 2));
    assert_eq!(store.mark_all_read("hb-unit", Utc::now()).await.unwrap(), 2);
    assert_eq!(store.mail_counts().await.unwrap(), [(MailState::Sent, 3)]);
    assert!(store.mail_problems(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn two_notifiers_on_one_sqlite_database_send_once() {
    let dir = tempfile::tempdir().unwrap();
    two_servers_send_once(&format!("sqlite://{}", dir.path().join("guohe.db").display())).await;
}

#[tokio::test]
async fn two_notifiers_on_one_postgres_database_send_once() {
    let Some(db) = support::pg::database().await else {
        return;
    };
    two_servers_send_once(&db.url).await;
    db.drop().await;
}

#[tokio::test]
async fn a_refusing_relay_leaves_the_mail_pending_and_a_later_pass_delivers_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let relay = Receiver::start().await;
    let s = server(&url, Some(&relay)).await;
    seed(&s).await;
    relay.refuse(true);
    let now = at("2026-12-16");
    let r = s.notifier.run_pass(&s.guohe, d("2026-12-16"), now).await.unwrap();
    assert_eq!((r.enqueued, r.sent, r.retrying), (1, 0, 1));
    let m = &s.notifier.store().inbox("hb-unit", 0, 5).await.unwrap()[0];
    assert_eq!((m.mail_state, m.attempts), (MailState::Pending, 1));
    assert!(
        m.last_error.as_deref().unwrap_or("").contains("451"),
        "{:?}",
        m.last_error
    );
    assert_eq!(m.next_attempt_at, Some(now + chrono::Duration::minutes(1)));
    assert_eq!(s.notifier.store().mail_problems(10).await.unwrap().len(), 1);

    // Before the retry time nothing is attempted, even with the relay back.
    relay.refuse(false);
    let r = s
        .notifier
        .send_due(&s.guohe, now + chrono::Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(r.sent, 0);
    assert!(relay.received().is_empty());
    // After it, the mail goes out once and leaves the department's list.
    let r = s
        .notifier
        .send_due(&s.guohe, now + chrono::Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(r.sent, 1);
    s.notifier
        .send_due(&s.guohe, now + chrono::Duration::minutes(3))
        .await
        .unwrap();
    assert_eq!(relay.received().len(), 1);
    let m = &s.notifier.store().inbox("hb-unit", 0, 5).await.unwrap()[0];
    assert_eq!((m.mail_state, m.attempts), (MailState::Sent, 2));
    assert!(s.notifier.store().mail_problems(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_permanent_refusal_is_given_up_at_once_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let relay = Receiver::start().await;
    let s = server(&url, Some(&relay)).await;
    seed(&s).await;
    relay.reject(true);
    let now = at("2026-12-16");
    let r = s.notifier.run_pass(&s.guohe, d("2026-12-16"), now).await.unwrap();
    assert_eq!((r.sent, r.retrying, r.failed), (0, 0, 1));
    relay.reject(false);
    s.notifier
        .send_due(&s.guohe, now + chrono::Duration::hours(7))
        .await
        .unwrap();
    assert!(relay.received().is_empty(), "a failed mail is not retried");
    let problems = s.notifier.store().mail_problems(10).await.unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!((problems[0].mail_state, problems[0].attempts), (MailState::Failed, 1));
    assert!(problems[0].last_error.as_deref().unwrap_or("").contains("550"));
}

#[tokio::test]
async fn a_mail_is_given_up_after_the_last_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let relay = Receiver::start().await;
    let s = server(&url, Some(&relay)).await;
    seed(&s).await;
    relay.refuse(true);
    let mut now = at("2026-12-16");
    s.notifier.run_pass(&s.guohe, d("2026-12-16"), now).await.unwrap();
    for attempt in 2..=guohe_notify::MAX_ATTEMPTS {
        now += chrono::Duration::hours(7);
        let r = s.notifier.send_due(&s.guohe, now).await.unwrap();
        let last = attempt == guohe_notify::MAX_ATTEMPTS;
        assert_eq!(
            (r.retrying, r.failed),
            (usize::from(!last), usize::from(last)),
            "attempt {attempt}"
        );
    }
    let m = &s.notifier.store().inbox("hb-unit", 0, 1).await.unwrap()[0];
    assert_eq!(
        (m.mail_state, m.attempts),
        (MailState::Failed, guohe_notify::MAX_ATTEMPTS)
    );
    relay.refuse(false);
    s.notifier
        .send_due(&s.guohe, now + chrono::Duration::days(1))
        .await
        .unwrap();
    assert!(relay.received().is_empty());
}

#[tokio::test]
async fn a_claim_left_by_a_stopped_server_is_taken_over_after_ten_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let relay = Receiver::start().await;
    let s = server(&url, Some(&relay)).await;
    seed(&s).await;
    let now = at("2026-12-16");
    // Into the outbox without sending.
    let plan = s.notifier.plan(&s.guohe, d("2026-12-16")).await.unwrap();
    for p in plan.new_messages() {
        assert!(p.message.mail);
        s.notifier.store().enqueue(&p.message, now).await.unwrap();
    }
    let id = s.notifier.store().inbox("hb-unit", 0, 1).await.unwrap()[0].id;
    // Another server claimed it and stopped before answering.
    assert!(s.notifier.store().claim(id, "stopped-server", now).await.unwrap());
    assert!(!s.notifier.store().claim(id, "someone-else", now).await.unwrap());
    assert_eq!(
        s.notifier
            .send_due(&s.guohe, now + chrono::Duration::minutes(5))
            .await
            .unwrap()
            .sent,
        0
    );
    assert_eq!(
        s.notifier
            .send_due(&s.guohe, now + chrono::Duration::minutes(11))
            .await
            .unwrap()
            .sent,
        1
    );
    assert_eq!(relay.received().len(), 1);
}

#[tokio::test]
async fn a_relay_that_is_down_is_retried_until_it_is_up() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let relay = Receiver::start().await;
    let addr = relay.addr;
    let s = server(&url, Some(&relay)).await;
    seed(&s).await;
    relay.stop();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let now = at("2026-12-16");
    let r = s.notifier.run_pass(&s.guohe, d("2026-12-16"), now).await.unwrap();
    assert_eq!((r.sent, r.retrying), (0, 1));
    let m = &s.notifier.store().inbox("hb-unit", 0, 5).await.unwrap()[0];
    assert_eq!(m.mail_state, MailState::Pending);
    assert!(m.last_error.is_some());

    let back = Receiver::start_on(&addr.to_string()).await;
    let r = s
        .notifier
        .send_due(&s.guohe, now + chrono::Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(r.sent, 1);
    assert_eq!(keys(&back), ["annual_report:base/HB-OLD-1:2026:d-30:hb-unit"]);
}

#[tokio::test]
async fn a_pass_stops_trying_after_a_few_failures_in_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let relay = Receiver::start().await;
    let s = server(&url, Some(&relay)).await;
    seed(&s).await;
    // Five more accounts of the same unit, each with an address: six mails in all.
    let accounts = AccountStore::open(s.guohe.log()).await.unwrap();
    for i in 1..=5 {
        let login = format!("hb-unit-{i}");
        accounts
            .create_account(
                &NewAccount {
                    login: login.clone(),
                    display_name: login.clone(),
                    role: AccountRole::SupportUnit,
                    org_id: Some(UNIT_USCC.into()),
                    password_hash: "unused".into(),
                    province: "42".into(),
                    must_change_password: false,
                    profile: Default::default(),
                    pending_approval: false,
                },
                Utc::now(),
            )
            .await
            .unwrap();
        set_email(&s, &login, &format!("{login}@wh-materials.cn")).await;
    }
    relay.refuse(true);
    let now = at("2026-12-16");
    let r = s.notifier.run_pass(&s.guohe, d("2026-12-16"), now).await.unwrap();
    assert_eq!(
        (r.enqueued, r.sent, r.retrying),
        (6, 0, guohe_notify::GIVE_UP_PASS_AFTER)
    );
    // The rest were not tried: no attempt counted, due at once.
    let untried = s.notifier.store().due_mail(now, now, 10).await.unwrap();
    assert_eq!(untried.len(), 6 - guohe_notify::GIVE_UP_PASS_AFTER);
    relay.refuse(false);
    let r = s
        .notifier
        .send_due(&s.guohe, now + chrono::Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(r.sent, 6);
    assert_eq!(relay.received().len(), 6);
}

#[tokio::test]
async fn an_assigned_expert_hears_of_it_once_and_not_before_its_day() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let relay = Receiver::start().await;
    let s = server(&url, Some(&relay)).await;
    seed(&s).await;
    let dept = Actor::parse("dept:zhang").unwrap();
    s.guohe
        .execute(&dept, d("2026-03-01"), cmd(json!({"type": "OpenRound", "id": "HB-2026", "policy": "hubei-2022", "title": "2026年度湖北省国合基地申报", "opens_on": "2026-03-01", "closes_on": "2026-04-30"})))
        .await
        .unwrap();
    let facts: serde_json::Value = serde_json::from_str(HUBEI).unwrap();
    s.guohe
        .execute(
            &Actor::parse(&format!("unit:{UNIT_USCC}")).unwrap(),
            d("2026-03-16"),
            cmd(json!({"type": "SubmitApplication", "id": "A1", "round": "HB-2026", "facts": facts})),
        )
        .await
        .unwrap();
    s.guohe
        .execute(&Actor::parse("recommender:wuhan").unwrap(), d("2026-03-20"), cmd(json!({"type": "RecommendApplication", "application": "A1", "recommender": "武汉市科学技术局", "opinion": "材料齐全，同意推荐"})))
        .await
        .unwrap();
    s.guohe
        .execute(&dept, d("2026-04-01"), cmd(json!({"type": "AssignExpert", "application": "A1", "expert_id": "e0", "expert_unit_uscc": "12100000441626842D"})))
        .await
        .unwrap();

    // A run for an earlier date does not see it, and does not skip it either.
    s.notifier
        .run_pass(&s.guohe, d("2026-03-25"), at("2026-03-25"))
        .await
        .unwrap();
    assert!(s.notifier.store().inbox("e0", 0, 5).await.unwrap().is_empty());
    s.notifier
        .run_pass(&s.guohe, d("2026-04-01"), at("2026-04-01"))
        .await
        .unwrap();
    s.notifier
        .run_pass(&s.guohe, d("2026-04-02"), at("2026-04-02"))
        .await
        .unwrap();
    let inbox = s.notifier.store().inbox("e0", 0, 5).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].kind, "expert_assigned");
    assert_eq!(inbox[0].link, "/expert/applications/A1");
    assert!(inbox[0].key.starts_with("event:") && inbox[0].key.ends_with(":e0"));
    let mails = relay.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["e0@experts.cn"]);
}

#[tokio::test]
async fn without_a_relay_messages_go_to_the_inbox_only() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let s = server(&url, None).await;
    seed(&s).await;
    let r = s
        .notifier
        .run_pass(&s.guohe, d("2026-12-16"), at("2026-12-16"))
        .await
        .unwrap();
    assert_eq!((r.enqueued, r.sent), (1, 0));
    let m = &s.notifier.store().inbox("hb-unit", 0, 5).await.unwrap()[0];
    assert_eq!(m.mail_state, MailState::None);
    assert!(
        s.notifier
            .store()
            .due_mail(at("2027-01-01"), at("2026-01-01"), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_address_is_read_when_the_mail_goes_out_and_an_erased_person_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let relay = Receiver::start().await;
    let s = server(&url, Some(&relay)).await;
    seed(&s).await;
    // Queued while the relay refuses; the unit then changes its address: the new one is used.
    relay.refuse(true);
    let now = at("2026-12-16");
    let r = s.notifier.run_pass(&s.guohe, d("2026-12-16"), now).await.unwrap();
    assert_eq!((r.enqueued, r.sent, r.retrying), (1, 0, 1));
    set_email(&s, "hb-unit", "director@wh-materials.cn").await;
    relay.refuse(false);
    let r = s
        .notifier
        .send_due(&s.guohe, now + chrono::Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(r.sent, 1);
    let got = relay.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["director@wh-materials.cn"]);

    // Erased: the plan sees no address, and a mail queued before fails for good with a reason
    // that says why, while the inbox message stays.
    relay.refuse(true);
    let now = at("2027-01-08");
    s.notifier.run_pass(&s.guohe, d("2027-01-08"), now).await.unwrap();
    assert!(
        s.guohe
            .erase_person("account/hb-unit", "system:admin", d("2027-01-08"))
            .await
            .unwrap()
    );
    relay.refuse(false);
    let r = s
        .notifier
        .send_due(&s.guohe, now + chrono::Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!((r.sent, r.retrying, r.failed), (0, 0, 1));
    assert_eq!(relay.received().len(), 1, "nothing more was mailed");
    let inbox = s.notifier.store().inbox("hb-unit", 0, 10).await.unwrap();
    assert_eq!(inbox.len(), 2, "both messages stay in the inbox");
    assert_eq!(inbox[0].mail_state, MailState::Failed);
    let reason = inbox[0].last_error.as_deref().unwrap_or_default();
    assert!(
        reason.contains("no e-mail address") && reason.contains("电子邮箱"),
        "{reason}"
    );
    let plan = s.notifier.plan(&s.guohe, d("2027-01-14")).await.unwrap();
    let unit: Vec<_> = plan.messages.iter().filter(|p| p.message.login == "hb-unit").collect();
    assert!(!unit.is_empty());
    assert!(unit.iter().all(|p| !p.has_address && !p.message.mail), "{unit:?}");
}
