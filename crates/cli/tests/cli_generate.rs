//! `guohe generate`: a small national run (2 provinces × 20 bases × 2 years) through the real
//! commands on SQLite and on PostgreSQL — bases in every province, every kind of step, every
//! USCC valid and of its province, the chain intact, the same seed giving the same register —
//! and bad options refused with the option named (exit code 2), nothing written. Set
//! GUOHE_SKIP_POSTGRES=1 to skip the PostgreSQL run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use guohe_app::Guohe;
use guohe_app::generate::{Options, provinces::PROVINCES};
use guohe_keys::KeyLocation;
use guohe_policy::PolicySet;
use guohe_store::EventLog;

const SMALL: &[&str] = &[
    "generate",
    "--provinces",
    "2",
    "--bases-per-province",
    "20",
    "--years",
    "2",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn guohe(db: &str, keys: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guohe"))
        .args(args)
        .arg("--database")
        .arg(db)
        .arg("--key-file")
        .arg(keys)
        .env_remove("GUOHE_DATABASE_URL")
        .env_remove("GUOHE_KEY_FILE")
        .current_dir(root())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}\n{}", text(&o.stdout), text(&o.stderr));
    text(&o.stdout)
}

fn refused(o: Output) -> String {
    assert_eq!(o.status.code(), Some(2), "{}\n{}", text(&o.stdout), text(&o.stderr));
    text(&o.stderr)
}

fn sqlite(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

/// Event kinds and their counts.
async fn kinds(db: &str) -> BTreeMap<String, usize> {
    let log = EventLog::connect(db).await.unwrap();
    let mut out = BTreeMap::new();
    for e in log.read_all(0, i64::MAX).await.unwrap() {
        *out.entry(e.kind).or_insert(0) += 1;
    }
    log.close().await;
    out
}

/// Checks what a small run must hold; returns the register as CSV.
async fn check_small_run(db: &str, keys: &Path) -> String {
    let o = Options {
        provinces: 2,
        bases_per_province: 20,
        years: 2,
        ..Options::default()
    };
    let g = Guohe::open_with_keys(db, PolicySet::default(), KeyLocation::File(keys.to_path_buf()))
        .await
        .unwrap();
    let world = g.read(|w, _, _| w.clone()).await;
    // Bases in every province of the run, each under its province's policy, with valid codes
    // whose division belongs to the province.
    for p in &PROVINCES[..2] {
        let id = p.policy_id(o.start_year());
        let bases: Vec<_> = world.bases().filter(|b| b.policy == id).collect();
        assert_eq!(bases.len(), 20, "{}: {} bases", p.name, bases.len());
        for b in bases {
            let code = guohe_reference::uscc::parse(&b.uscc).unwrap_or_else(|e| panic!("{}: {e}", b.uscc));
            assert!(code.division_code().starts_with(p.code), "{} in {}", b.uscc, p.name);
        }
    }
    for a in world.applications() {
        let code = guohe_reference::uscc::parse(&a.facts.unit.uscc).unwrap();
        assert_eq!(code.division_code(), a.facts.unit.region_code);
        // Facts pass every computed rule; what is left is the experts' judgement.
        assert!(a.failing_rules.is_empty(), "{}: {:?}", a.id, a.failing_rules);
    }
    assert_eq!(world.clock(), Some(o.until));
    drop(g);
    let kinds = kinds(db).await;
    for kind in [
        "PolicyLoaded",
        "BaseCarriedOver",
        "RoundOpened",
        "ApplicationSubmitted",
        "ApplicationRecommended",
        "ExpertAssigned",
        "ReviewSubmitted",
        "ApplicationDecided",
        "PublicNoticeStarted",
        "ObjectionLodged",
        "ObjectionResolved",
        "PublicNoticeEnded",
        "BaseNamed",
        "AnnualReportSubmitted",
        "AnnualAssessmentRecorded",
        "EvaluationDue",
        "EvaluationRecorded",
        "RectificationOrdered",
        "RectificationCompleted",
        "MajorChangeFiled",
        "MajorChangeApproved",
        "FindingRecorded",
        "BaseTerminated",
    ] {
        assert!(kinds.contains_key(kind), "no {kind} in {kinds:?}");
    }
    // Hunan 第十五条 / 湖北第十七条: one real-name objection per notice, each resolved.
    assert_eq!(kinds["ObjectionLodged"], kinds["ObjectionResolved"]);
    let audit = ok(guohe(db, keys, &["audit", "verify"]));
    assert!(audit.contains("intact"), "{audit}");
    ok(guohe(
        db,
        keys,
        &["register", "--as-of", "2026-11-20", "--format", "csv"],
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_small_national_run_goes_through_every_step_and_the_same_seed_gives_the_same_register() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.json");
    let db = sqlite(dir.path(), "a.db");
    let out = ok(guohe(&db, &keys, SMALL));
    assert!(
        out.contains("province 11: 20 bases") && out.contains("province 12: 20 bases"),
        "{out}"
    );
    let register = check_small_run(&db, &keys).await;
    assert!(register.lines().count() > 30, "{register}");

    // Same arguments, another database: the same register.
    let keys_b = dir.path().join("keys-b.json");
    let db_b = sqlite(dir.path(), "b.db");
    ok(guohe(&db_b, &keys_b, SMALL));
    let again = ok(guohe(
        &db_b,
        &keys_b,
        &["register", "--as-of", "2026-11-20", "--format", "csv"],
    ));
    assert_eq!(register, again);
    assert_eq!(kinds(&db).await, kinds(&db_b).await);

    // Another seed: another register.
    let keys_c = dir.path().join("keys-c.json");
    let db_c = sqlite(dir.path(), "c.db");
    let mut seeded = SMALL.to_vec();
    seeded.extend(["--seed", "7"]);
    ok(guohe(&db_c, &keys_c, &seeded));
    let other = ok(guohe(
        &db_c,
        &keys_c,
        &["register", "--as-of", "2026-11-20", "--format", "csv"],
    ));
    assert_ne!(register, other);

    // A database that holds events is refused without --append; nothing is added.
    let before = kinds(&db).await;
    let err = refused(guohe(&db, &keys, SMALL));
    assert!(err.contains("--append"), "{err}");
    assert_eq!(kinds(&db).await, before);
    // With --append, a clock past the period's start is refused too, naming the option.
    let mut append = SMALL.to_vec();
    append.push("--append");
    let err = refused(guohe(&db, &keys, &append));
    assert!(err.contains("--append") && err.contains("不能倒签"), "{err}");
    assert_eq!(kinds(&db).await, before);
}

#[test]
fn bad_options_are_refused_naming_the_option_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.json");
    let db = sqlite(dir.path(), "bad.db");
    for (args, option) in [
        (vec!["generate", "--years", "0"], "--years"),
        (vec!["generate", "--years", "40"], "--years"),
        (vec!["generate", "--provinces", "0"], "--provinces"),
        (vec!["generate", "--provinces", "32"], "--provinces"),
        (vec!["generate", "--bases-per-province", "0"], "--bases-per-province"),
        (vec!["generate", "--until", "2040-01-01"], "--until"),
        (vec!["generate", "--until", "20261120"], "--until"),
        (vec!["generate", "--years", "many"], "--years"),
        (vec!["generate", "--seed", "x"], "--seed"),
    ] {
        let err = refused(guohe(&db, &keys, &args));
        assert!(err.contains(option), "{args:?}: {err}");
        assert!(!dir.path().join("bad.db").exists(), "{args:?} created the database");
        assert!(!keys.exists(), "{args:?} created the key file");
    }
}

fn pg_admin() -> String {
    std::env::var("GUOHE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_small_run_on_postgresql() {
    if std::env::var("GUOHE_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        eprintln!("GUOHE_SKIP_POSTGRES=1: skipping PostgreSQL test");
        return;
    }
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&pg_admin())
        .await
        .expect("PostgreSQL on 127.0.0.1:5432 (set GUOHE_SKIP_POSTGRES=1 to skip)");
    let name = format!(
        "guohe_generate_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    );
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let url = format!("{}/{name}", pg_admin().rsplit_once('/').unwrap().0);
    let _drop = DropDatabase(name);
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.json");
    ok(guohe(&url, &keys, SMALL));
    let register = check_small_run(&url, &keys).await;
    // The same run on SQLite gives the same register.
    let lite = sqlite(dir.path(), "lite.db");
    let lite_keys = dir.path().join("lite-keys.json");
    ok(guohe(&lite, &lite_keys, SMALL));
    let expected = ok(guohe(
        &lite,
        &lite_keys,
        &["register", "--as-of", "2026-11-20", "--format", "csv"],
    ));
    assert_eq!(register, expected);
}

/// Drops the test's PostgreSQL database when the test ends, passed or failed.
struct DropDatabase(String);

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let name = self.0.clone();
        // A thread of its own: the test's runtime may be unwinding.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&pg_admin()).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await;
                }
            });
        })
        .join();
    }
}
