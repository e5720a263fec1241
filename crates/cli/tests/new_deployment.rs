//! A new deployment, from an empty database to a working round: the three administrators are
//! created with `guohe account create` (the only way to make one), then everything else is done
//! by people on the pages, over HTTP on 127.0.0.1 — first sign-ins with the forced password
//! change and the second factor read off the enrolment page, the department, a recommender
//! organisation and its account, experts, a unit that registers itself and is approved, a round
//! opened and offered, a draft begun, and the audit administrator checking the chain.

use crate::common;

use crate::api_common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use api_common::{Client, Resp};
use hyper::Method;

/// Runs `guohe ARGS` on the deployment's database and key file.
fn guohe(db: &str, keys: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guohe"))
        .args(args)
        .arg("--database")
        .arg(db)
        .arg("--key-file")
        .arg(keys)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .env_remove("GUOHE_DATABASE_URL")
        .env_remove("GUOHE_KEY_FILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "guohe {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Someone at a browser: a cookie jar, forms posted with the token of the page they are on.
struct Person<'a> {
    client: Client<'a>,
    login: String,
    password: String,
    /// The authenticator's secret, once enrolled.
    secret: Option<String>,
}

impl<'a> Person<'a> {
    fn new(app: &'a common::TestApp, login: &str, password: &str) -> Person<'a> {
        Person {
            client: Client::new(app),
            login: login.into(),
            password: password.into(),
            secret: None,
        }
    }

    async fn get(&self, path: &str) -> Resp {
        self.client.get(path).await
    }

    /// Opens `page`, then submits a form to `action` with the page's CSRF token.
    async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Resp {
        let shown = self.get(page).await;
        assert_eq!(shown.status, 200, "GET {page}: {}", shown.body);
        let token = common::csrf_of(&shown.body);
        let mut form: Vec<(&str, &str)> = vec![("_csrf", &token)];
        form.extend_from_slice(fields);
        self.client
            .raw(
                Method::POST,
                action,
                Some((
                    "application/x-www-form-urlencoded",
                    serde_urlencoded::to_string(&form).unwrap(),
                )),
                &[],
            )
            .await
    }

    /// Signs in at `/login`, with a code from the authenticator once enrolled.
    async fn sign_in(&self) -> Resp {
        let otp = match &self.secret {
            Some(s) => common::otp::code_from_secret(&self.client.app.state, &self.login, s).await,
            None => String::new(),
        };
        self.submit(
            "/login",
            "/login",
            &[("login", &self.login), ("password", &self.password), ("otp", &otp)],
        )
        .await
    }

    /// The first sign-in of an account an administrator made: the password must be changed
    /// first; then (for the department and the administrators) the second factor enrolled from
    /// the secret the page shows. Ends at `home`, free to work.
    async fn first_sign_in(&mut self, new_password: &str, home: &str) {
        let r = self.sign_in().await;
        assert_eq!(
            (r.status, r.header("location").as_str()),
            (303, "/account/2fa"),
            "{}: {}",
            self.login,
            r.body
        );
        let r = self.get("/account/2fa").await;
        assert_eq!(
            (r.status, r.header("location").as_str()),
            (303, "/account?due=1"),
            "{}: the password before the second factor",
            self.login
        );
        let r = self.get(home).await;
        assert_eq!(
            (r.status, r.header("location").as_str()),
            (303, "/account?due=1"),
            "{}: the password first",
            self.login
        );
        let due = self.get("/account?due=1").await;
        assert!(due.body.contains("id=\"password-due\""), "{}", due.body);
        let r = self
            .submit(
                "/account?due=1",
                "/account/password",
                &[
                    ("current", &self.password.clone()),
                    ("new", new_password),
                    ("confirm", new_password),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}: {}", self.login, r.body);
        self.password = new_password.into();

        let r = self.get(home).await;
        assert_eq!(
            (r.status, r.header("location").as_str()),
            (303, "/account/2fa"),
            "{}: then the second factor",
            self.login
        );
        let page = self.get("/account/2fa").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("<svg"), "a QR code to scan");
        let secret = between(&page.body, "<code id=\"totp-secret\">", "</code>");
        assert!(
            guohe_web::totp::base32_decode(&secret).is_some_and(|k| k.len() == guohe_web::totp::SECRET_BYTES),
            "{secret}"
        );
        // A wrong code is refused and the page stays.
        let r = self.submit("/account/2fa", "/account/2fa", &[("code", "12345")]).await;
        assert_eq!(r.status, 400);
        assert!(r.body.contains("6位数字"), "{}", r.body);
        assert_eq!(self.get(home).await.header("location"), "/account/2fa");

        let code = common::otp::code_from_secret(&self.client.app.state, &self.login, &secret).await;
        let r = self.submit("/account/2fa", "/account/2fa", &[("code", &code)]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("id=\"recovery-codes\""), "recovery codes shown once");
        self.secret = Some(secret);
        let r = self.get(home).await;
        assert_eq!(r.status, 200, "{}: free to work at {home}", self.login);
    }
}

/// The text between two markers.
fn between(text: &str, start: &str, end: &str) -> String {
    let i = text.find(start).unwrap_or_else(|| panic!("`{start}` in {text}")) + start.len();
    let j = text[i..].find(end).expect("end marker") + i;
    text[i..j].trim().to_string()
}

/// A valid 统一社会信用代码 of an enterprise registered in `region` (six digits).
fn uscc(region: &str, org: &'static str) -> String {
    let region: &'static str = Box::leak(region.to_string().into_boxed_str());
    guohe_web::demo::uscc_of(&guohe_web::demo::DemoUnit {
        login: "x",
        name: "x",
        kind: "enterprise",
        affiliation: "local",
        region,
        org,
    })
}

/// The password `guohe account create` printed once.
fn printed_password(stdout: &[u8]) -> String {
    let text = String::from_utf8_lossy(stdout);
    text.lines()
        .find_map(|l| l.split_once("(shown once): "))
        .map(|(_, p)| p.trim().to_string())
        .unwrap_or_else(|| panic!("no password printed: {text}"))
}

#[tokio::test]
async fn a_new_deployment_goes_from_an_empty_database_to_a_working_round() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("guohe.db").display());
    let keys: PathBuf = dir.path().join("keys.json");

    // 1. The first administrators, from the command line only.
    let o = guohe(
        &db,
        &keys,
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
    let sys_password = printed_password(&o.stdout);
    guohe(
        &db,
        &keys,
        &[
            "account",
            "create",
            "--login",
            "sec-admin",
            "--name",
            "赵安全",
            "--role",
            "security_admin",
            "--password-stdin",
            "--as",
            "admin:install",
        ],
        Some("Anquan#2026init\n"),
    );
    guohe(
        &db,
        &keys,
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
            "--as",
            "admin:install",
        ],
        Some("Shenji#2026init\n"),
    );
    let listed = String::from_utf8_lossy(&guohe(&db, &keys, &["account", "list"], None).stdout).into_owned();
    assert_eq!(listed.lines().count(), 4, "exactly three accounts: {listed}");

    // 2. The server on that database, on loopback, with a business date inside hunan-2026.
    let app = common::spawn_with(common::Options {
        existing: Some(common::Existing {
            database_url: db.clone(),
            key_file: keys.clone(),
        }),
        ..Default::default()
    })
    .await;
    assert!(app.addr.ip().is_loopback());
    assert_eq!(app.get("/").await.status, 200);

    // 3. The system administrator: first sign-in, then the accounts and the organisation.
    let mut sys = Person::new(&app, "sys-admin", &sys_password);
    sys.first_sign_in("Xitong#2026admin", "/admin/system").await;
    // Sign-in now needs the code: without it, refused; with it, in.
    let again = Person::new(&app, "sys-admin", "Xitong#2026admin");
    assert_eq!(again.sign_in().await.status, 401, "a password alone no longer signs in");
    let again = Person {
        secret: sys.secret.clone(),
        ..Person::new(&app, "sys-admin", "Xitong#2026admin")
    };
    let r = again.sign_in().await;
    assert_eq!((r.status, r.header("location").as_str()), (303, "/admin/system"));

    let r = sys
        .submit(
            "/admin/system",
            "/admin/system/accounts",
            &[
                ("login", "hn-dept"),
                ("display_name", "湖南省科学技术厅国际合作处"),
                ("role", "department"),
                ("province", "43"),
                ("password", "Tingzhang#2026init"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.header("location").as_str()),
        (303, "/admin/system/accounts/hn-dept?created=1"),
        "{}",
        r.body
    );
    let shown = sys.get("/admin/system/accounts/hn-dept?created=1").await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("湖南省科学技术厅国际合作处"), "{}", shown.body);

    let r = sys
        .submit(
            "/admin/system/organisations",
            "/admin/system/organisations",
            &[
                ("id", "rec-changsha"),
                ("name", "长沙市科学技术局"),
                ("province", "43"),
                ("regions", "4301"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("推荐单位已登记") && r.body.contains("rec-changsha"),
        "{}",
        r.body
    );

    let r = sys
        .submit(
            "/admin/system",
            "/admin/system/accounts",
            &[
                ("login", "rec-cs"),
                ("display_name", "长沙市科学技术局"),
                ("role", "recommender"),
                ("province", "43"),
                ("org_id", "rec-changsha"),
                ("password", "Tuijian#2026init"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let experts = [
        ("expert-liu", "刘建国", "MA1EXP01", "中南大学", "新材料、先进制造"),
        ("expert-chen", "陈晓红", "MA1EXP02", "湖南大学", "生物医药"),
        ("expert-zhou", "周文", "MA1EXP03", "湖南省农业科学院", "现代农业、食品"),
    ];
    for (login, name, org, unit, domains) in experts {
        let code = uscc("430100", org);
        let r = sys
            .submit(
                "/admin/system",
                "/admin/system/accounts",
                &[
                    ("login", login),
                    ("display_name", name),
                    ("role", "expert"),
                    ("province", "43"),
                    ("org_id", &code),
                    ("title", "教授"),
                    ("unit_name", unit),
                    ("domains", domains),
                    ("password", "Zhuanjia#2026init"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{login}: {}", r.body);
    }
    let hunan = sys.get("/admin/system?role=expert&province=43").await;
    assert_eq!(hunan.status, 200);
    for (login, name, ..) in experts {
        assert!(
            hunan.body.contains(login) && hunan.body.contains(name),
            "{login} listed"
        );
    }
    // The recommender and an expert can sign in; their first page is the password change.
    for (login, password, home) in [
        ("rec-cs", "Tuijian#2026init", "/recommender"),
        ("expert-chen", "Zhuanjia#2026init", "/expert"),
    ] {
        let p = Person::new(&app, login, password);
        assert_eq!(p.sign_in().await.status, 303, "{login}");
        assert_eq!(p.get(home).await.header("location"), "/account?due=1", "{login}");
    }

    // 4. A support unit registers itself.
    let unit_uscc = uscc("430100", "MA7Q9K2X");
    let anon = Person::new(&app, "", "");
    let r = anon
        .submit(
            "/register",
            "/register",
            &[
                ("display_name", "长沙示范新材料有限公司"),
                ("uscc", &unit_uscc),
                ("login", "cs-xcl"),
                ("password", "Zhuce#2026abcd"),
                ("confirm", "Zhuce#2026abcd"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"registered\""), "{}", r.body);
    let unit = Person::new(&app, "cs-xcl", "Zhuce#2026abcd");
    assert_eq!(unit.sign_in().await.status, 401, "not before approval");

    // 5. The department: first sign-in, then the approval.
    let mut dept = Person::new(&app, "hn-dept", "Tingzhang#2026init");
    dept.first_sign_in("Tingzhang#2026work", "/dept").await;
    let pending = dept.get("/dept/registrations").await;
    assert_eq!(pending.status, 200);
    assert!(
        pending.body.contains("cs-xcl") && pending.body.contains(&unit_uscc),
        "{}",
        pending.body
    );
    let r = dept
        .submit(
            "/dept/registrations",
            "/dept/registrations/cs-xcl",
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        !dept.get("/dept/registrations").await.body.contains("cs-xcl"),
        "no longer pending"
    );

    // 6. The department opens a round (the business date is 2026-11-20).
    let r = dept
        .submit(
            "/dept/rounds",
            "/dept/rounds",
            &[
                ("id", "HN-2026-1"),
                ("policy", "hunan-2026"),
                ("title", "2026年度湖南省国际科技合作基地申报"),
                ("opens_on", "2026-11-01"),
                ("closes_on", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.header("location").as_str()),
        (303, "/dept/rounds"),
        "{}",
        r.body
    );
    let rounds = dept.get("/dept/rounds").await;
    assert!(
        rounds.body.contains("HN-2026-1") && rounds.body.contains("2026年度湖南省国际科技合作基地申报"),
        "{}",
        rounds.body
    );

    // 7. The unit signs in, sees the round offered and begins a draft for it.
    let r = unit.sign_in().await;
    assert_eq!((r.status, r.header("location").as_str()), (303, "/unit"), "{}", r.body);
    let home = unit.get("/unit").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(
        home.body.contains("value=\"HN-2026-1\"") && home.body.contains("2026年度湖南省国际科技合作基地申报"),
        "the round is offered: {}",
        home.body
    );
    let r = unit.submit("/unit", "/unit/drafts", &[("round", "HN-2026-1")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let draft = r.header("location");
    assert!(draft.starts_with("/unit/drafts/"), "{draft}");
    let page = unit.get(&draft).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("长沙示范新材料有限公司"),
        "the draft is the unit's: {}",
        page.body
    );
    assert!(
        unit.get("/unit").await.body.contains(&draft),
        "the draft is listed on the unit's page"
    );

    // The security administrator's first sign-in, to the policy page.
    let mut sec = Person::new(&app, "sec-admin", "Anquan#2026init");
    sec.first_sign_in("Anquan#2026work", "/admin/security").await;
    let policy = sec.get("/admin/security").await;
    assert!(
        policy.body.contains("value=\"90\""),
        "the default password expiry: {}",
        policy.body
    );

    // 8. The audit administrator: first sign-in, the chain verified, the creations on the log.
    let mut audit = Person::new(&app, "audit-admin", "Shenji#2026init");
    audit.first_sign_in("Shenji#2026work", "/admin/audit").await;
    let r = audit.submit("/admin/audit", "/admin/audit/verify", &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let verdict = between(&r.body, "id=\"verify-result\">", "</div>");
    assert!(verdict.contains("哈希链校验通过"), "{verdict}");
    assert!(
        r.body
            .contains("class=\"alert ok\" role=\"status\" id=\"verify-result\"")
    );
    let log = audit.get("/admin/audit?q=AccountCreated").await;
    assert_eq!(log.status, 200);
    assert!(
        log.body.contains("共 <strong class=\"total\">9</strong> 条"),
        "{}",
        log.body
    );
    let shown = log.body.replace("&#34;", "\"");
    for login in [
        "sys-admin",
        "sec-admin",
        "audit-admin",
        "hn-dept",
        "rec-cs",
        "expert-liu",
        "expert-chen",
        "expert-zhou",
        "cs-xcl",
    ] {
        assert!(
            shown.contains(&format!("{{\"account\":\"{login}\"")),
            "the creation of {login} is on the log: {shown}"
        );
    }
    assert_eq!(
        shown.matches("<td>install（命令行）</td>").count(),
        3,
        "the administrators, by the installer on the command line"
    );
    assert_eq!(
        shown.matches("<td>王系统（sys-admin）</td>").count(),
        5,
        "the department, recommender and experts, by the system administrator on the pages"
    );
    assert_eq!(
        shown.matches("<td>公众（127.0.0.1）</td>").count(),
        1,
        "the unit, by itself"
    );

    // The command line agrees while the server runs.
    let o = guohe(&db, &keys, &["audit", "verify"], None);
    assert!(String::from_utf8_lossy(&o.stdout).contains("intact:"));
    let listed =
        String::from_utf8_lossy(&guohe(&db, &keys, &["account", "list", "--province", "43"], None).stdout).into_owned();
    assert_eq!(
        listed.lines().count(),
        1 + 6,
        "the department, recommender, three experts, unit: {listed}"
    );
}
