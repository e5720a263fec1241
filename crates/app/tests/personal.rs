//! Personal information through the application service on a real SQLite file: objections are
//! sealed before they reach the domain and the chain, the database file holds no plaintext,
//! erasure keeps the chain intact, rotation keeps everything readable, and a wrong or missing
//! key file stops the start.

use chrono::NaiveDate;
use guohe_app::personal::{AccountField, subject_of};
use guohe_app::{AppError, Guohe};
use guohe_domain::{Actor, Command};
use guohe_keys::{KeyLocation, Revealed};
use guohe_policy::PolicySet;
use guohe_store::VerifyReport;
use serde_json::json;

const HUBEI: &str = include_str!("../../../examples/applications/hubei-enterprise.json");
const NAME: &str = "欧阳明轩";
const CONTACT: &str = "13912345678";
const PHONE: &str = "13712349876";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn cmd(v: serde_json::Value) -> Command {
    serde_json::from_value(v).unwrap_or_else(|e| panic!("command: {e}"))
}

fn actor(s: &str) -> Actor {
    Actor::parse(s).unwrap()
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn db(&self) -> std::path::PathBuf {
        self.dir.path().join("guohe.db")
    }
    fn url(&self) -> String {
        format!("sqlite://{}", self.db().display())
    }
    async fn open(&self) -> Guohe {
        Guohe::open(&self.url(), PolicySet::default()).await.unwrap()
    }
    /// The database file and its write-ahead log, as bytes.
    fn file_bytes(&self) -> Vec<u8> {
        let mut all = std::fs::read(self.db()).unwrap();
        let wal = self.dir.path().join("guohe.db-wal");
        if let Ok(w) = std::fs::read(wal) {
            all.extend(w);
        }
        all
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Round → … → a running 公示 N1 listing A1 (2026-09-28 to 2026-10-09).
async fn run_to_notice(g: &Guohe) {
    let dept = actor("dept:zhang");
    g.execute(&dept, d("2026-03-01"), cmd(json!({"type": "OpenRound", "id": "HB-2026", "policy": "hubei-2022", "title": "2026年度湖北省国合基地申报", "opens_on": "2026-03-01", "closes_on": "2026-04-30"})))
        .await
        .unwrap();
    let facts: serde_json::Value = serde_json::from_str(HUBEI).unwrap();
    g.execute(
        &actor("unit:91420100MA4K56786D"),
        d("2026-03-16"),
        cmd(json!({"type": "SubmitApplication", "id": "A1", "round": "HB-2026", "facts": facts})),
    )
    .await
    .unwrap();
    g.execute(&actor("recommender:wuhan"), d("2026-03-20"), cmd(json!({"type": "RecommendApplication", "application": "A1", "recommender": "武汉市科学技术局", "opinion": "材料齐全，同意推荐"})))
        .await
        .unwrap();
    for (i, uscc) in ["12100000441626842D", "12100000441626770L", "12430000444881590X"]
        .iter()
        .enumerate()
    {
        g.execute(&dept, d("2026-04-01"), cmd(json!({"type": "AssignExpert", "application": "A1", "expert_id": format!("e{i}"), "expert_unit_uscc": uscc})))
            .await
            .unwrap();
        g.execute(&actor(&format!("expert:e{i}")), d("2026-04-10"), cmd(json!({"type": "SubmitReview", "application": "A1", "expert": format!("e{i}"), "score": 85 + i, "conclusion": "recommend", "comments": "基础扎实"})))
            .await
            .unwrap();
    }
    g.execute(
        &dept,
        d("2026-09-20"),
        cmd(json!({"type": "Decide", "application": "A1", "decision": "approve", "reasons": "综合评议同意"})),
    )
    .await
    .unwrap();
    g.execute(
        &dept,
        d("2026-09-28"),
        cmd(json!({"type": "StartPublicNotice", "notice_id": "N1", "applications": ["A1"], "starts_on": "2026-09-28"})),
    )
    .await
    .unwrap();
}

async fn lodge(g: &Guohe, name: &str, contact: &str) -> Result<String, AppError> {
    let out = g
        .execute(
            &actor("public:objector"),
            d("2026-09-30"),
            cmd(json!({"type": "LodgeObjection", "notice": "N1", "application": "A1", "objector_real_name": name, "contact": contact, "content": "合作协议已过期"})),
        )
        .await?;
    Ok(out.events[0].payload()["objector_real_name"]
        .as_str()
        .unwrap()
        .to_string())
}

async fn stored_objection(g: &Guohe) -> (String, String) {
    g.read(|w, _, _| {
        let o = w.notice("N1").unwrap().objections.values().next().unwrap();
        (o.objector_real_name.clone(), o.contact.clone())
    })
    .await
}

#[tokio::test]
async fn objections_and_account_fields_are_sealed_and_the_database_file_holds_no_plaintext() {
    let env = Env::new();
    let g = env.open().await;
    run_to_notice(&g).await;
    let token = lodge(&g, &format!(" {NAME} "), CONTACT).await.unwrap();
    assert!(token.starts_with("pii:v1:objector/"), "{token}");
    g.set_account_field("zhang", AccountField::Phone, PHONE, "account:zhang", d("2026-09-30"))
        .await
        .unwrap();

    // The chain and the world hold tokens; the service opens them.
    let (name, contact) = stored_objection(&g).await;
    assert_eq!(name, token);
    assert_eq!(subject_of(&name), subject_of(&contact));
    assert_eq!(
        g.reveal(&name).await.unwrap(),
        Revealed::Value(NAME.into()),
        "trimmed before sealing"
    );
    assert_eq!(g.reveal(&contact).await.unwrap(), Revealed::Value(CONTACT.into()));
    let fields = g.account_fields("zhang").await.unwrap();
    assert_eq!(fields, vec![(AccountField::Phone, Revealed::Value(PHONE.into()))]);
    for e in g.log().read_all(0, 10_000).await.unwrap() {
        let text = e.payload.to_string();
        assert!(
            !text.contains(NAME) && !text.contains(CONTACT) && !text.contains(PHONE),
            "{text}"
        );
    }
    drop(g);

    let bytes = env.file_bytes();
    assert!(
        contains(&bytes, "合作协议已过期"),
        "the reading of the file works: the content is not personal"
    );
    for secret in [NAME, CONTACT, PHONE] {
        assert!(!contains(&bytes, secret), "{secret} is in the database file");
    }
    // After a restart the same key file opens everything.
    let g = env.open().await;
    let (name, _) = stored_objection(&g).await;
    assert_eq!(g.reveal(&name).await.unwrap().value(), Some(NAME));
}

#[tokio::test]
async fn bad_objection_input_is_refused_with_the_domains_fields_before_encryption() {
    let env = Env::new();
    let g = env.open().await;
    run_to_notice(&g).await;
    let head = g.log().head().await.unwrap();
    for (name, contact, field) in [(" ", CONTACT, "objector_real_name"), (NAME, "  ", "contact")] {
        match lodge(&g, name, contact).await {
            Err(AppError::Refused(r)) => assert_eq!(r.field.as_deref(), Some(field)),
            other => panic!("expected a refusal naming {field}, got {other:?}"),
        }
    }
    // Refused outside the period: the domain's own check, after sealing; no key is kept.
    let late = g
        .execute(&actor("public:objector"), d("2026-10-20"), cmd(json!({"type": "LodgeObjection", "notice": "N1", "application": "A1", "objector_real_name": NAME, "contact": CONTACT, "content": "迟到"})))
        .await;
    assert!(matches!(late, Err(AppError::Refused(_))), "{late:?}");
    assert_eq!(g.log().head().await.unwrap(), head, "nothing written");
    assert!(
        g.vault().store().subjects().await.unwrap().is_empty(),
        "no key for a refused objection"
    );
}

#[tokio::test]
async fn erasing_a_person_keeps_the_chain_intact_and_their_data_unreadable() {
    let env = Env::new();
    let g = env.open().await;
    run_to_notice(&g).await;
    lodge(&g, NAME, CONTACT).await.unwrap();
    let (name, contact) = stored_objection(&g).await;
    let subject = subject_of(&name).unwrap();

    let export = g
        .export_person(&subject, "system:test", d("2026-09-30"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(export.status, "live");
    let values: Vec<(&str, &str)> = export
        .records
        .iter()
        .map(|r| (r.field.as_str(), r.value.as_str()))
        .collect();
    assert_eq!(values, vec![("contact", CONTACT), ("objector_real_name", NAME)]);

    assert!(g.erase_person(&subject, "system:test", d("2026-09-30")).await.unwrap());
    assert!(!g.erase_person(&subject, "system:test", d("2026-09-30")).await.unwrap());
    assert!(matches!(g.verify().await.unwrap(), VerifyReport::Intact { .. }));
    assert_eq!(g.reveal(&name).await.unwrap(), Revealed::Erased);
    assert_eq!(g.reveal(&contact).await.unwrap(), Revealed::Erased);
    let export = g
        .export_person(&subject, "system:test", d("2026-09-30"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(export.status, "erased");
    assert!(export.records.is_empty());
    assert!(
        g.export_person("objector/000000", "system:test", d("2026-09-30"))
            .await
            .unwrap()
            .is_none()
    );

    // The erasure and the exports are on the chain, without the values.
    let audit = g.history("audit/2026-09-30").await.unwrap();
    let kinds: Vec<&str> = audit.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["PersonalDataExported", "PersonalDataErased", "PersonalDataExported"]
    );
    assert!(!audit.iter().any(|e| e.payload.to_string().contains(NAME)));

    // A restart replays the chain with the erased tokens in it.
    drop(g);
    let g = env.open().await;
    assert!(matches!(g.verify().await.unwrap(), VerifyReport::Intact { .. }));
    let (name, _) = stored_objection(&g).await;
    assert_eq!(g.reveal(&name).await.unwrap(), Revealed::Erased);
}

#[tokio::test]
async fn rotation_keeps_everything_readable_and_is_audited() {
    let env = Env::new();
    let g = env.open().await;
    run_to_notice(&g).await;
    lodge(&g, NAME, CONTACT).await.unwrap();
    g.set_account_field(
        "li",
        AccountField::Email,
        "li@example.cn",
        "account:li",
        d("2026-09-30"),
    )
    .await
    .unwrap();
    let r = g.rotate_keys("system:admin", d("2026-09-30")).await.unwrap();
    assert_eq!((r.from_version, r.to_version, r.rewrapped), (1, 2, 2));
    let (name, _) = stored_objection(&g).await;
    assert_eq!(g.reveal(&name).await.unwrap().value(), Some(NAME));
    drop(g);
    let g = env.open().await;
    assert_eq!(g.vault().master_version(), 2);
    assert_eq!(g.reveal(&name).await.unwrap().value(), Some(NAME));
    assert_eq!(
        g.account_fields("li").await.unwrap()[0].1.value(),
        Some("li@example.cn")
    );
    assert!(
        g.history("audit/2026-09-30")
            .await
            .unwrap()
            .iter()
            .any(|e| e.kind == "MasterKeyRotated")
    );
    assert!(matches!(g.verify().await.unwrap(), VerifyReport::Intact { .. }));
    let export = g
        .export_person("account/li", "system:admin", d("2026-09-30"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(export.kind, "account");
    assert_eq!(export.records.len(), 1);
    assert_eq!(
        (export.records[0].field.as_str(), export.records[0].value.as_str()),
        ("email", "li@example.cn")
    );

    // An erased account shows erased and takes no new personal data.
    assert!(
        g.erase_person("account/li", "system:admin", d("2026-09-30"))
            .await
            .unwrap()
    );
    assert_eq!(g.account_fields("li").await.unwrap()[0].1, Revealed::Erased);
    match g
        .set_account_field("li", AccountField::Phone, PHONE, "account:li", d("2026-09-30"))
        .await
    {
        Err(AppError::Refused(r)) => assert_eq!(r.field.as_deref(), Some("phone")),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_or_missing_key_file_stops_the_start_with_a_clear_message() {
    let env = Env::new();
    let g = env.open().await;
    run_to_notice(&g).await;
    lodge(&g, NAME, CONTACT).await.unwrap();
    drop(g);
    let elsewhere = env.dir.path().join("other-volume").join("guohe.keys.json");
    let e = Guohe::open_with_keys(&env.url(), PolicySet::default(), KeyLocation::File(elsewhere.clone()))
        .await
        .err()
        .expect("a missing key file is an error");
    assert!(
        e.message_zh().contains("other-volume/guohe.keys.json"),
        "{}",
        e.message_zh()
    );
    assert!(e.message_zh().contains("不存在"), "{}", e.message_zh());
    assert!(!elsewhere.exists(), "no new key made");

    // A key file that belongs to another database.
    let other = Env::new();
    other.open().await;
    let theirs = other.dir.path().join("guohe.db.keys.json");
    let e = Guohe::open_with_keys(&env.url(), PolicySet::default(), KeyLocation::File(theirs))
        .await
        .err()
        .expect("a wrong key file is an error");
    assert!(e.to_string().contains("wrong key file"), "{e}");
    assert!(e.message_zh().contains("不是本数据库的主密钥"), "{}", e.message_zh());
}

#[tokio::test]
async fn the_account_email_is_the_sealed_field_and_none_once_erased() {
    let env = Env::new();
    let g = env.open().await;
    assert_eq!(g.account_email("wang").await.unwrap(), None, "never set");
    g.set_account_field("wang", AccountField::Phone, PHONE, "account:wang", d("2026-09-30"))
        .await
        .unwrap();
    assert_eq!(
        g.account_email("wang").await.unwrap(),
        None,
        "a phone is not an address"
    );
    g.set_account_field(
        "wang",
        AccountField::Email,
        " wang@example.cn ",
        "account:wang",
        d("2026-09-30"),
    )
    .await
    .unwrap();
    assert_eq!(
        g.account_email("wang").await.unwrap().as_deref(),
        Some("wang@example.cn")
    );
    assert_eq!(
        g.account_email("li").await.unwrap(),
        None,
        "another account's is not shared"
    );
    drop(g);
    assert!(!contains(&env.file_bytes(), "wang@example.cn"));
    let g = env.open().await;
    assert_eq!(
        g.account_email("wang").await.unwrap().as_deref(),
        Some("wang@example.cn")
    );
    g.set_account_field("wang", AccountField::Email, "  ", "account:wang", d("2026-09-30"))
        .await
        .unwrap();
    assert_eq!(g.account_email("wang").await.unwrap(), None, "cleared");
    g.set_account_field(
        "wang",
        AccountField::Email,
        "wang@example.cn",
        "account:wang",
        d("2026-09-30"),
    )
    .await
    .unwrap();
    assert!(
        g.erase_person("account/wang", "system:admin", d("2026-09-30"))
            .await
            .unwrap()
    );
    assert_eq!(g.account_email("wang").await.unwrap(), None, "erased");
}

/// The notifier's batch question — who among these has an address — answers what
/// `account_email` answers one account at a time, the erased and the plaintext of before
/// encryption included.
#[tokio::test]
async fn logins_with_email_agree_with_account_email() {
    let env = Env::new();
    let g = env.open().await;
    let on = d("2026-09-30");
    for login in ["wang", "li", "zhao", "qian"] {
        g.set_account_field(
            login,
            AccountField::Email,
            &format!("{login}@example.cn"),
            "system:admin",
            on,
        )
        .await
        .unwrap();
    }
    g.set_account_field("sun", AccountField::Phone, PHONE, "system:admin", on)
        .await
        .unwrap();
    assert!(g.erase_person("account/li", "system:admin", on).await.unwrap());
    g.set_account_field("zhao", AccountField::Email, " ", "system:admin", on)
        .await
        .unwrap();
    // A value stored before personal fields were sealed is the address itself.
    g.vault()
        .store()
        .set_account_field("zhou", "email", "zhou@example.cn", chrono::Utc::now())
        .await
        .unwrap();
    let asked = ["li", "nobody", "qian", "sun", "wang", "zhao", "zhou"];
    let with = g.logins_with_email(&asked).await.unwrap();
    assert_eq!(with.into_iter().collect::<Vec<_>>(), ["qian", "wang", "zhou"]);
    for login in asked {
        let one = g.account_email(login).await.unwrap();
        let batch = g.logins_with_email(&[login]).await.unwrap();
        assert_eq!(one.is_some(), batch.contains(login), "{login}");
    }
    assert!(g.logins_with_email(&Vec::<String>::new()).await.unwrap().is_empty());
}
