//! `guohe account create|list|disable|enable|unlock`: the accounts of a deployment from the
//! command line — checked like the administration pages, refused with the option named (exit
//! code 2), and every act on the hash chain.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use guohe_store::{AccountRole, AccountStore, EventLog, StoredEvent};

/// A temporary deployment: its database and key file.
struct Deployment {
    dir: tempfile::TempDir,
}

impl Deployment {
    fn new() -> Deployment {
        Deployment {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("guohe.db").display())
    }

    fn keys(&self) -> PathBuf {
        self.dir.path().join("keys.json")
    }

    /// Runs `guohe ARGS --database … --key-file …`, with `stdin` on standard input if given.
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guohe"));
        c.args(args)
            .arg("--database")
            .arg(self.db())
            .arg("--key-file")
            .arg(self.keys())
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
            .env_remove("GUOHE_DATABASE_URL")
            .env_remove("GUOHE_KEY_FILE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        {
            let mut input = child.stdin.take().unwrap();
            if let Some(text) = stdin {
                input.write_all(text.as_bytes()).unwrap();
            }
        }
        child.wait_with_output().unwrap()
    }

    /// Runs and asserts success; returns standard output.
    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let o = self.run(args, stdin);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", err(&o));
        out(&o)
    }

    /// Runs and asserts a refusal of input (exit code 2); returns standard error.
    fn refused(&self, args: &[&str], stdin: Option<&str>) -> String {
        let o = self.run(args, stdin);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}{}", out(&o), err(&o));
        err(&o)
    }

    async fn log(&self) -> EventLog {
        EventLog::connect(&self.db()).await.unwrap()
    }

    async fn account(&self, login: &str) -> Option<guohe_store::Account> {
        let log = self.log().await;
        let a = AccountStore::open(&log).await.unwrap().account(login).await.unwrap();
        log.close().await;
        a
    }

    /// The audit records of a kind, oldest first.
    async fn audit(&self, kind: &str) -> Vec<StoredEvent> {
        let log = self.log().await;
        let all = log.read_all(0, 100_000).await.unwrap();
        log.close().await;
        all.into_iter()
            .filter(|e| e.stream.starts_with("audit/") && e.kind == kind)
            .collect()
    }

    async fn head(&self) -> Option<(i64, String)> {
        let log = self.log().await;
        let h = log.head().await.unwrap();
        log.close().await;
        h
    }

    /// `guohe audit verify` says the chain is intact.
    fn assert_chain_intact(&self) {
        let text = self.ok(&["audit", "verify"], None);
        assert!(text.contains("intact:"), "{text}");
    }

    /// The web application on this deployment's database and key file.
    async fn serve(&self) -> common::TestApp {
        common::spawn_with(common::Options {
            existing: Some(common::Existing {
                database_url: self.db(),
                key_file: self.keys(),
            }),
            ..Default::default()
        })
        .await
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The password `create` printed once.
fn printed_password(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.split_once("(shown once): "))
        .map(|(_, p)| p.trim().to_string())
        .unwrap_or_else(|| panic!("no password printed: {stdout}"))
}

/// The rows of `account list` (after the heading) as (login, role, province, status).
fn rows(stdout: &str) -> Vec<(String, String, String, String)> {
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("login\trole\tprovince\torg\tstatus\tname"),
        "{stdout}"
    );
    lines
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 6, "{l}");
            (c[0].into(), c[1].into(), c[2].into(), c[4].into())
        })
        .collect()
}

const UNIT_PASSWORD: &str = "Danwei#2026start";

#[tokio::test]
async fn create_prints_a_generated_password_once_or_reads_one_and_list_filters() {
    let d = Deployment::new();

    let text = d.ok(
        &[
            "account",
            "create",
            "--login",
            "sys-admin",
            "--name",
            "王系统",
            "--role",
            "system_admin",
            "--as",
            "admin:install",
        ],
        None,
    );
    assert!(
        text.contains("created: sys-admin") && text.contains("province all"),
        "{text}"
    );
    assert!(
        text.contains("second factor"),
        "an administrator must enrol one: {text}"
    );
    let generated = printed_password(&text);
    assert!(generated.len() >= 12, "{generated}");
    let a = d.account("sys-admin").await.expect("created");
    assert_eq!(
        (a.role, a.province.as_str(), a.must_change_password, a.active),
        (AccountRole::SystemAdmin, "", true, true)
    );
    assert!(!a.password_hash.contains(&generated), "only a hash is kept");

    // A password from standard input is used as given and never printed.
    let text = d.ok(
        &[
            "account",
            "create",
            "--login",
            "hn-dept",
            "--name",
            "湖南省科学技术厅",
            "--role",
            "department",
            "--province",
            "43",
            "--password-stdin",
        ],
        Some("Tingzhang#2026ab\n"),
    );
    assert!(
        !text.contains("shown once") && !text.contains("Tingzhang#2026ab"),
        "{text}"
    );
    let a = d.account("hn-dept").await.unwrap();
    assert_eq!((a.role, a.province.as_str()), (AccountRole::Department, "43"));
    d.ok(
        &[
            "account",
            "create",
            "--login",
            "hb-dept",
            "--name",
            "湖北省科学技术厅",
            "--role",
            "department",
            "--province",
            "42",
            "--password-stdin",
        ],
        Some("Tingzhang#2026ab\n"),
    );
    d.ok(
        &[
            "account",
            "create",
            "--login",
            "audit-admin",
            "--name",
            "李审计",
            "--role",
            "audit_admin",
            "--password-stdin",
        ],
        Some("Shenji#2026abcd\n"),
    );

    // Two generated passwords differ.
    let again = printed_password(&d.ok(
        &[
            "account",
            "create",
            "--login",
            "sec-admin",
            "--name",
            "赵安全",
            "--role",
            "security_admin",
        ],
        None,
    ));
    assert_ne!(again, generated);

    // Every creation is on the chain, by whom the command says.
    let created = d.audit("AccountCreated").await;
    let logins: Vec<&str> = created.iter().map(|e| e.payload["account"].as_str().unwrap()).collect();
    assert_eq!(logins, ["sys-admin", "hn-dept", "hb-dept", "audit-admin", "sec-admin"]);
    assert_eq!(created[0].actor, "admin:install");
    assert_eq!(created[1].actor, "admin:cli", "the default actor");
    assert_eq!(created[1].payload["role"], "department");
    d.assert_chain_intact();

    // The list, whole and filtered.
    let all = rows(&d.ok(&["account", "list"], None));
    assert_eq!(all.len(), 5, "{all:?}");
    assert!(all.iter().all(|r| r.3 == "active"), "{all:?}");
    let depts = rows(&d.ok(&["account", "list", "--role", "department"], None));
    let mut names: Vec<&str> = depts.iter().map(|r| r.0.as_str()).collect();
    names.sort();
    assert_eq!(names, ["hb-dept", "hn-dept"]);
    let hunan = rows(&d.ok(&["account", "list", "--province", "43"], None));
    assert_eq!(
        hunan,
        vec![("hn-dept".into(), "department".into(), "43".into(), "active".into())]
    );
    let both = rows(&d.ok(&["account", "list", "--role", "audit_admin", "--province", ""], None));
    assert_eq!(both.len(), 1, "{both:?}");
    assert_eq!(both[0].0, "audit-admin");
    let e = d.refused(&["account", "list", "--role", "boss"], None);
    assert!(e.contains("--role"), "{e}");
}

#[tokio::test]
async fn bad_input_exits_2_naming_the_option_and_writes_nothing() {
    let d = Deployment::new();
    d.ok(
        &[
            "account",
            "create",
            "--login",
            "hn-dept",
            "--name",
            "湖南省科学技术厅",
            "--role",
            "department",
            "--province",
            "43",
            "--password-stdin",
        ],
        Some("Tingzhang#2026ab\n"),
    );
    let before = d.head().await;

    let base = |login: &'static str, role: &'static str, province: &'static str| {
        vec![
            "account",
            "create",
            "--login",
            login,
            "--name",
            "某人",
            "--role",
            role,
            "--province",
            province,
            "--password-stdin",
        ]
    };
    let mut cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (base("Zhang San", "department", "43"), "Good#Pass2026x\n", "--login"),
        (base("ab", "department", "43"), "Good#Pass2026x\n", "--login"),
        (base("zhang-san", "boss", "43"), "Good#Pass2026x\n", "--role"),
        (base("zhang-san", "department", "99"), "Good#Pass2026x\n", "--province"),
        (base("zhang-san", "department", ""), "Good#Pass2026x\n", "--province"),
        (base("zhang-san", "department", "43"), "short\n", "--password-stdin"),
        (
            base("zhang-san", "department", "43"),
            "alllowercaseletters\n",
            "--password-stdin",
        ),
        (base("hn-dept", "department", "43"), "Good#Pass2026x\n", "--login"),
        (
            vec![
                "account",
                "create",
                "--login",
                "zhang-san",
                "--name",
                "x",
                "--role",
                "support_unit",
                "--org",
                "91430100XXXXXXXX00",
                "--password-stdin",
            ],
            "Good#Pass2026x\n",
            "--org",
        ),
        (
            vec![
                "account",
                "create",
                "--login",
                "zhang-san",
                "--name",
                "x",
                "--role",
                "recommender",
                "--province",
                "43",
                "--org",
                "rec-nowhere",
                "--password-stdin",
            ],
            "Good#Pass2026x\n",
            "--org",
        ),
    ];
    for role in ["support_unit", "expert", "recommender"] {
        cases.push((base("zhang-san", role, "43"), "Good#Pass2026x\n", "--org"));
    }
    for (args, stdin, option) in &cases {
        let e = d.refused(args, Some(stdin));
        assert!(e.contains(option), "{args:?} should name {option}: {e}");
        assert!(
            !e.contains("Good#Pass2026x") && !e.contains("alllowercaseletters"),
            "never echoes a password: {e}"
        );
    }
    // A duplicate says so.
    let e = d.refused(&base("hn-dept", "department", "43"), Some("Good#Pass2026x\n"));
    assert!(e.contains("hn-dept"), "{e}");

    assert!(d.account("zhang-san").await.is_none(), "nothing created");
    assert_eq!(d.head().await, before, "nothing written to the chain");
    for login in ["ghost", "Zhang San"] {
        for act in ["disable", "enable", "unlock"] {
            let e = d.refused(&["account", act, login], None);
            assert!(e.contains("no such account"), "{act} {login}: {e}");
        }
    }
    assert_eq!(d.head().await, before);
    d.assert_chain_intact();
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_until_enabled_and_unlock_clears_a_lock() {
    let d = Deployment::new();
    d.ok(
        &[
            "account",
            "create",
            "--login",
            "cs-unit",
            "--name",
            "长沙示范科技有限公司",
            "--role",
            "support_unit",
            "--org",
            &changsha_uscc(),
            "--password-stdin",
        ],
        Some(&format!("{UNIT_PASSWORD}\r\n")),
    );
    let a = d.account("cs-unit").await.unwrap();
    assert_eq!(a.province, "43", "from where its USCC is registered");

    let text = d.ok(&["account", "disable", "cs-unit", "--as", "admin:wang"], None);
    assert!(text.contains("disabled"), "{text}");
    assert!(!d.account("cs-unit").await.expect("kept, never deleted").active);
    let listed = rows(&d.ok(&["account", "list", "--role", "support_unit"], None));
    assert_eq!(listed[0].3, "disabled");

    // The right password no longer opens it.
    let app = d.serve().await;
    let r = app.login_without_otp("cs-unit", UNIT_PASSWORD).await;
    assert_eq!(r.status, 401, "{}", r.body);
    drop(app);

    d.ok(&["account", "enable", "cs-unit"], None);
    let app = d.serve().await;
    let r = app.login_without_otp("cs-unit", UNIT_PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.get("/unit").await.location(),
        "/account?due=1",
        "a password set by someone else is changed first"
    );

    // A lock (as the throttle or the security administrator sets it), cleared from the command line.
    let until = chrono::Utc::now() + chrono::Duration::minutes(30);
    guohe_web::accounts::lock(&app.state, "system:test", "cs-unit", until)
        .await
        .unwrap();
    drop(app);
    let listed = rows(&d.ok(&["account", "list"], None));
    assert_eq!(listed[0].3, "locked");
    let text = d.ok(&["account", "unlock", "cs-unit"], None);
    assert!(text.contains("unlocked: cs-unit"), "{text}");
    assert!(!d.account("cs-unit").await.unwrap().is_locked(chrono::Utc::now()));
    let listed = rows(&d.ok(&["account", "list"], None));
    assert_eq!(listed[0].3, "active");

    // Every act on the chain, by whom.
    let disabled = d.audit("AccountDisabled").await;
    assert_eq!(disabled.len(), 1);
    assert_eq!(
        (disabled[0].actor.as_str(), &disabled[0].payload["account"]),
        ("admin:wang", &serde_json::json!("cs-unit"))
    );
    let enabled = d.audit("AccountEnabled").await;
    assert_eq!((enabled.len(), enabled[0].actor.as_str()), (1, "admin:cli"));
    assert!(
        d.audit("AccountUnlocked")
            .await
            .iter()
            .any(|e| e.actor == "admin:cli" && e.payload["account"] == "cs-unit")
    );
    assert!(
        d.audit("LoginFailed")
            .await
            .iter()
            .any(|e| e.payload.to_string().contains("cs-unit")),
        "the refused sign-in is recorded"
    );
    d.assert_chain_intact();
}

/// A valid USCC of an enterprise registered in Changsha (4301).
fn changsha_uscc() -> String {
    let unit = guohe_web::demo::DemoUnit {
        login: "x",
        name: "x",
        kind: "enterprise",
        affiliation: "local",
        region: "430100",
        org: "MA7Q9K2X",
    };
    guohe_web::demo::uscc_of(&unit)
}
