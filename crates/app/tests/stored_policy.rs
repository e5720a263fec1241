//! Stored policies through the application service on a SQLite file: loading is validated and
//! recorded on the chain with the text's SM3, later opens fold the stored policy over the
//! built-ins (but not over one given for the run), and cases that use a policy keep it loaded.

use chrono::NaiveDate;
use guohe_app::Guohe;
use guohe_app::stored_policy::{Loaded, PolicyStoreError, PolicyUse};
use guohe_domain::{Actor, Command};
use guohe_policy::{PolicySet, PolicySource};
use serde_json::json;

const HUBEI: &str = include_str!("../../../policies/hubei-2022.yaml");

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A modified copy of the shipped Hubei policy under another id.
fn third() -> String {
    let t = HUBEI.replacen("id: hubei-2022", "id: hubei-2099", 1).replacen(
        "title: 湖北省国际科技合作基地管理办法",
        "title: 湖北省国际科技合作基地管理办法（修订试行）",
        1,
    );
    assert!(t.contains("id: hubei-2099"));
    t
}

fn open_round(policy: &str) -> Command {
    serde_json::from_value(
        json!({"type": "OpenRound", "id": format!("R-{policy}"), "policy": policy, "title": "2026年度申报",
        "opens_on": "2026-03-01", "closes_on": "2026-04-30"}),
    )
    .unwrap()
}

#[tokio::test]
async fn load_is_recorded_with_its_sm3_and_taken_by_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let text = third();
    let a = Guohe::open(&url, PolicySet::default()).await.unwrap();
    let b = Guohe::open(&url, PolicySet::default()).await.unwrap();

    let loaded = a
        .load_policy(&text, "hubei-2099.yaml", false, "admin:li", d("2026-02-01"))
        .await
        .unwrap();
    let sm3 = guohe_store::sm3_hex(text.as_bytes());
    let Loaded::Recorded { id, sm3: got, seq } = loaded else {
        panic!("expected a record, got {loaded:?}")
    };
    assert_eq!((id.as_str(), got.as_str(), seq), ("hubei-2099", sm3.as_str(), 1));

    // On the chain: its own stream, the full text and its hash; the chain verifies.
    let records = a.history("policy/hubei-2099").await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].kind, "PolicyLoaded");
    assert_eq!(records[0].payload["sm3"], sm3.as_str());
    assert_eq!(records[0].payload["yaml"], text.as_str());
    assert!(a.verify().await.unwrap().is_intact());

    // The loading process uses it at once.
    assert!(a.policies().get("hubei-2099").is_some());
    // Another running server takes it when it next reads the log, without a restart: a
    // command under it is judged by the stored text.
    assert!(b.policies().get("hubei-2099").is_none(), "not read yet");
    b.execute(
        &Actor::parse("dept:zhang").unwrap(),
        d("2026-03-01"),
        open_round("hubei-2099"),
    )
    .await
    .expect("the other server reads the load before deciding");
    assert_eq!(b.stored_policies().await.len(), 1);
    assert!(matches!(
        b.policies().source("hubei-2099"),
        Some(PolicySource::Stored { .. })
    ));
    let c = Guohe::open(&url, PolicySet::default()).await.unwrap();
    let p = c
        .policies()
        .get("hubei-2099")
        .expect("the next open takes the stored policy");
    assert_eq!(p.title, "湖北省国际科技合作基地管理办法（修订试行）");
    assert!(matches!(c.policies().source("hubei-2099"), Some(PolicySource::Stored { sm3: s, .. }) if *s == sm3));
    assert_eq!(c.policies().source("hubei-2022"), Some(&PolicySource::Builtin));

    // A version given for the run (--policy-file) wins over the stored one.
    let mut given = PolicySet::default();
    let mut mine = guohe_policy::load::from_yaml(&text, "mine.yaml").unwrap();
    mine.title = "本次运行的版本".into();
    given.add(mine);
    let e = Guohe::open(&url, given).await.unwrap();
    assert_eq!(e.policies().get("hubei-2099").unwrap().title, "本次运行的版本");

    // The same text again writes nothing.
    let again = c
        .load_policy(&text, "x.yaml", false, "admin:li", d("2026-02-02"))
        .await
        .unwrap();
    assert!(matches!(again, Loaded::Unchanged { .. }));
    assert_eq!(c.history("policy/hubei-2099").await.unwrap().len(), 1);
}

#[tokio::test]
async fn invalid_text_and_built_in_ids_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let g = Guohe::open(&url, PolicySet::default()).await.unwrap();
    // Article 33 is the validity article; citing article 99 of a 33-article policy is invalid.
    let bad = third().replacen(
        r#"validity: { years: 5, article: "33" }"#,
        r#"validity: { years: 5, article: "99" }"#,
        1,
    );
    let e = g
        .load_policy(&bad, "bad.yaml", false, "admin:li", d("2026-02-01"))
        .await
        .unwrap_err();
    let PolicyStoreError::Invalid(pe) = &e else {
        panic!("{e}")
    };
    assert_eq!((pe.file.as_str(), pe.path.as_str()), ("bad.yaml", "validity.article"));
    assert!(e.message_zh().contains("validity.article"));
    assert!(g.log().head().await.unwrap().is_none());

    // A built-in id needs `replace`; with it the stored version replaces the built-in.
    let local = HUBEI.replacen(
        "title: 湖北省国际科技合作基地管理办法",
        "title: 湖北省国际科技合作基地管理办法（地方版）",
        1,
    );
    let e = g
        .load_policy(&local, "h.yaml", false, "admin:li", d("2026-02-01"))
        .await
        .unwrap_err();
    assert!(matches!(e, PolicyStoreError::ReplacesBuiltin { .. }), "{e}");
    assert!(g.log().head().await.unwrap().is_none());
    g.load_policy(&local, "h.yaml", true, "admin:li", d("2026-02-01"))
        .await
        .unwrap();
    let h = Guohe::open(&url, PolicySet::default()).await.unwrap();
    assert_eq!(
        h.policies().get("hubei-2022").unwrap().title,
        "湖北省国际科技合作基地管理办法（地方版）"
    );
    let e = h
        .unload_policy("hunan-2026", "admin:li", d("2026-02-02"))
        .await
        .unwrap_err();
    assert!(matches!(e, PolicyStoreError::Builtin { .. }), "{e}");
}

#[tokio::test]
async fn a_policy_a_round_uses_cannot_be_unloaded_or_silently_changed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let text = third();
    let g = Guohe::open(&url, PolicySet::default()).await.unwrap();
    g.load_policy(&text, "p.yaml", false, "admin:li", d("2026-02-01"))
        .await
        .unwrap();
    let g = Guohe::open(&url, PolicySet::default()).await.unwrap();
    let dept = Actor::parse("dept:zhang").unwrap();
    g.execute(&dept, d("2026-03-01"), open_round("hubei-2099"))
        .await
        .unwrap();

    let e = g
        .unload_policy("hubei-2099", "admin:li", d("2026-03-02"))
        .await
        .unwrap_err();
    let PolicyStoreError::InUse { used, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(
        *used,
        PolicyUse {
            rounds: 1,
            ..Default::default()
        }
    );
    assert!(e.message_zh().contains("批次 1 个"));
    let changed = text.replacen("（修订试行）", "（修订）", 1);
    let e = g
        .load_policy(&changed, "p.yaml", false, "admin:li", d("2026-03-02"))
        .await
        .unwrap_err();
    assert!(matches!(e, PolicyStoreError::ChangesUsed { .. }), "{e}");
    assert_eq!(g.history("policy/hubei-2099").await.unwrap().len(), 1);

    // An unused stored policy unloads, and the next open no longer has it.
    let other = text.replacen("id: hubei-2099", "id: hubei-2098", 1);
    g.load_policy(&other, "o.yaml", false, "admin:li", d("2026-03-02"))
        .await
        .unwrap();
    let stale = Guohe::open(&url, PolicySet::default()).await.unwrap();
    assert!(stale.policies().get("hubei-2098").is_some());
    g.unload_policy("hubei-2098", "admin:li", d("2026-03-03"))
        .await
        .unwrap();
    // A server opened before the unload no longer has the withdrawn policy once it reads
    // the log: a round under it is refused as under an unknown policy.
    let e = stale
        .execute(&dept, d("2026-03-03"), open_round("hubei-2098"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, guohe_app::AppError::Refused(r) if r.code == guohe_domain::RefusalCode::PolicyUnavailable),
        "{e}"
    );
    assert!(stale.policies().get("hubei-2098").is_none());
    stale.refresh().await.unwrap();
    assert!(stale.policies().get("hubei-2099").is_some());
    let h = Guohe::open(&url, PolicySet::default()).await.unwrap();
    assert!(h.policies().get("hubei-2098").is_none());
    assert!(h.policies().get("hubei-2099").is_some());
    assert!(h.verify().await.unwrap().is_intact());
}
