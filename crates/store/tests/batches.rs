//! The notifier's batched reads and writes, run against SQLite and PostgreSQL: which messages
//! exist, inserting many at once, and which accounts have a personal field and a live key.
//! Each goes past a chunk of 500, where one query or statement hands over to the next.

#[allow(dead_code)]
use crate::support;

use chrono::{DateTime, NaiveDate, Utc};
use guohe_store::{KeyStore, MailState, NewMessage, NotifyStore};
use support::TestDb;

fn t(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000 + s, 0).expect("time")
}

fn message(i: usize) -> NewMessage {
    NewMessage {
        key: format!("annual_report:base/HN-{i:05}:2026:d-7:unit-{i:05}"),
        login: format!("unit-{i:05}"),
        kind: "annual_report".into(),
        subject: "年度报告将于7日后截止".into(),
        body: format!("基地 HN-{i:05} 的2026年度报告"),
        link: format!("/unit/bases/HN-{i:05}"),
        due_on: NaiveDate::from_ymd_opt(2027, 1, 31),
        mail: i.is_multiple_of(3),
    }
}

async fn messages_are_enqueued_and_found_a_batch_at_a_time(db: &TestDb) {
    let store = NotifyStore::open(&db.log).await.expect("open");
    let first: Vec<NewMessage> = (0..600).map(message).collect();
    assert_eq!(store.enqueue_all(&first, t(0)).await.expect("enqueue"), 600);
    // The second batch overlaps the first by 100: only the 1,001 new ones go in, and the old
    // ones keep what they had (their creation time).
    let second: Vec<NewMessage> = (500..1_601).map(message).collect();
    assert_eq!(store.enqueue_all(&second, t(60)).await.expect("enqueue"), 1_001);
    assert_eq!(store.count().await.expect("count"), 1_601);
    assert_eq!(store.enqueue_all(&[], t(60)).await.expect("nothing"), 0);

    let asked: Vec<String> = (1_500..1_700)
        .map(|i| message(i).key)
        .chain((0..450).map(|i| message(i).key))
        .collect();
    let found = store.existing_keys(&asked).await.expect("existing");
    let expected: Vec<String> = (1_500..1_601).chain(0..450).map(|i| message(i).key).collect();
    assert_eq!(found.len(), 551);
    assert!(expected.iter().all(|k| found.contains(k)));
    assert!(
        store
            .existing_keys(&Vec::<String>::new())
            .await
            .expect("none")
            .is_empty()
    );

    // A message inserted in a batch is the one `enqueue` would have inserted.
    let single = NewMessage {
        key: "single".into(),
        ..message(3)
    };
    assert!(store.enqueue(&single, t(0)).await.expect("enqueue one"));
    let one = &store.inbox(&single.login, 0, 10).await.expect("inbox")[..];
    let (batched, alone) = match one {
        [a, b] if a.key == "single" => (b, a),
        [a, b] => (a, b),
        other => panic!("two messages expected, got {other:?}"),
    };
    assert_eq!(batched.key, message(3).key);
    for m in [batched, alone] {
        assert_eq!(
            (&m.kind[..], &m.subject[..], &m.body[..], &m.link[..], m.due_on),
            (
                "annual_report",
                &single.subject[..],
                &single.body[..],
                &single.link[..],
                single.due_on
            )
        );
        assert_eq!(
            (m.mail_state, m.attempts, m.next_attempt_at),
            (MailState::Pending, 0, Some(t(0)))
        );
        assert_eq!((m.created_at, m.read_at, m.sent_at), (t(0), None, None));
    }
    let no_mail = &store.inbox(&message(4).login, 0, 10).await.expect("inbox")[0];
    assert_eq!((no_mail.mail_state, no_mail.next_attempt_at), (MailState::None, None));
    let later = &store.inbox(&message(1_600).login, 0, 10).await.expect("inbox")[0];
    assert_eq!(later.created_at, t(60));
}

async fn accounts_with_a_field_and_a_live_key(db: &TestDb) {
    let keys = KeyStore::open(&db.log).await.expect("open");
    let login = |i: usize| format!("unit-{i:04}");
    for i in 0..620 {
        let field = if i % 5 == 4 { "phone" } else { "email" };
        keys.set_account_field(&login(i), field, &format!("token-{i}"), t(0))
            .await
            .expect("set");
    }
    let asked: Vec<String> = (0..700).map(login).collect();
    let set = keys.field_of_accounts("email", &asked).await.expect("fields");
    assert_eq!(set.len(), 496, "four in five of the 620 have an e-mail field");
    assert!(set.windows(2).all(|w| w[0].0 < w[1].0), "by login");
    assert_eq!(set[0], (login(0), "token-0".into()));
    assert!(set.iter().all(|(l, _)| !l.ends_with('4') && !l.ends_with('9')));

    let subject = |i: usize| format!("account/{}", login(i));
    for i in 0..520 {
        keys.insert_subject(&subject(i), "account", 1, "d3JhcHBlZA==", t(0))
            .await
            .expect("subject");
    }
    assert!(keys.erase_subject(&subject(7), t(5)).await.expect("erase"));
    let asked: Vec<String> = (0..560).map(subject).collect();
    let live = keys.live_subjects(&asked).await.expect("live");
    assert_eq!(live.len(), 519, "an erased key and a subject never stored are not live");
    assert!(!live.contains(&subject(7)) && !live.contains(&subject(530)));
    assert!(live.contains(&subject(519)));
}

on_both_backends!(
    messages_are_enqueued_and_found_a_batch_at_a_time,
    accounts_with_a_field_and_a_live_key,
);
