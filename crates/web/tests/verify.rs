//! 核验服务 — `GET /api/v1/verify`, `GET /api/v1/verify/public-key` and the `/verify` page on the
//! demo of both provinces: the register as of the date asked (before naming, named, under
//! rectification, after termination), the grades known by then, the priority articles from the
//! policies (hubei-2022:19, hubei-2022:20, hunan-2026:19), the SM2 statement checked with the
//! published key, bad input, the rate limit, the audit record and the absence of personal data.

use crate::api_common;
use crate::common;

use api_common::{Client, Resp};
use chrono::{Duration, NaiveDate};
use guohe_domain::{Base, BaseStatus, Origin};
use serde_json::Value;
use sm2::dsa::signature::Verifier as _;
use sm2::dsa::{Signature, VerifyingKey};

/// Every base of the world, by id (so the cases picked are the same on every run).
async fn bases(app: &common::TestApp) -> Vec<Base> {
    let mut all = app
        .state
        .guohe
        .read(|w, _, _| w.bases().cloned().collect::<Vec<_>>())
        .await;
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all
}

async fn ask(c: &Client<'_>, uscc: &str, on: NaiveDate) -> Value {
    let r = c.get(&format!("/api/v1/verify?uscc={uscc}&on={on}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// A query-string value, percent-encoded.
fn enc(v: &str) -> String {
    serde_urlencoded::to_string([("q", v)]).unwrap()[2..].to_string()
}

fn ids(v: &Value) -> Vec<String> {
    v["answer"]["bases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_string())
        .collect()
}

fn citations(v: &Value) -> Vec<String> {
    v["answer"]["priority"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["citation"].as_str().unwrap().to_string())
        .collect()
}

/// A base named by the department (not carried over) whose unit has no other base, active on
/// the demo date, under `policy`.
fn sole_named_base<'b>(all: &'b [Base], policy: &str, today: NaiveDate) -> &'b Base {
    all.iter()
        .find(|b| {
            b.policy == policy
                && matches!(b.origin, Origin::Named { .. })
                && b.status_on(today) == Some(BaseStatus::Active)
                && all.iter().filter(|o| o.uscc == b.uscc).count() == 1
        })
        .unwrap_or_else(|| panic!("the demo has an active named base under {policy}"))
}

/// The first day of a status entry matching `pred`, of a base whose unit has no other base
/// valid on that day.
fn first_day_of(all: &[Base], pred: impl Fn(BaseStatus) -> bool) -> (Base, NaiveDate) {
    for b in all {
        for e in b.history.iter().filter(|e| pred(e.status)) {
            let others_valid = all
                .iter()
                .any(|o| o.uscc == b.uscc && o.id != b.id && o.status_on(e.from).is_some_and(|s| s.on_register()));
            if !others_valid {
                return (b.clone(), e.from);
            }
        }
    }
    panic!("the demo has no base in that state")
}

#[tokio::test]
async fn the_register_as_of_the_date_in_both_provinces() {
    // The test asks once for every unit of the demo on top of its other questions: above the
    // default 30 a minute, which the flood test below checks on its own.
    let app = common::spawn_with(common::Options {
        demo: true,
        tweak: |cfg| cfg.verify_per_minute = 120,
        ..Default::default()
    })
    .await;
    let c = Client::new(&app);
    let today = app.state.today();
    let all = bases(&app).await;

    // 湖南 and 湖北: not named the day before naming, named on the day; the articles come from
    // each policy's `priority` list (hunan-2026:19; hubei-2022:19 and hubei-2022:20).
    for (policy, province, articles) in [
        ("hunan-2026", "湖南省", vec!["hunan-2026:19"]),
        ("hubei-2022", "湖北省", vec!["hubei-2022:19", "hubei-2022:20"]),
    ] {
        let b = sole_named_base(&all, policy, today);
        let before = ask(&c, &b.uscc, b.recognised_on - Duration::days(1)).await;
        assert_eq!(before["answer"]["result"], "not_named", "{before}");
        assert_eq!(before["answer"]["held"], false);
        assert!(ids(&before).is_empty(), "{before}");
        assert_eq!(
            citations(&before),
            articles,
            "a refusal of priority names its articles too"
        );

        let named = ask(&c, &b.uscc, b.recognised_on).await;
        assert_eq!(named["answer"]["result"], "named", "{named}");
        assert_eq!(named["answer"]["held"], true);
        assert_eq!(ids(&named), vec![b.id.clone()]);
        let base = &named["answer"]["bases"][0];
        assert_eq!(base["province"], province);
        assert_eq!(base["policy"], policy);
        assert_eq!(base["named_on"], b.recognised_on.to_string());
        assert_eq!(base["status"], "active");
        assert_eq!(base["domain"], b.domain.as_str());
        assert_eq!(base["valid"], true);
        assert_eq!(citations(&named), articles);
        assert!(named["answer"]["priority"][0]["article_zh"] == "第十九条", "{named}");
        assert_eq!(named["statement"]["result"], "named");
        assert_eq!(named["statement"]["bases"][0], b.id.as_str());
    }

    // Without `on`, the business date.
    let b = sole_named_base(&all, "hubei-2022", today);
    let r = c.get(&format!("/api/v1/verify?uscc={}", b.uscc.to_lowercase())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["answer"]["on"], today.to_string());
    assert_eq!(r.json()["answer"]["uscc"], b.uscc.as_str(), "read upper-cased");

    // Under rectification: still named, and the answer says so (湖南第十五条).
    let (b, from) = first_day_of(&all, |s| matches!(s, BaseStatus::UnderRectification { .. }));
    let v = ask(&c, &b.uscc, from).await;
    assert_eq!(v["answer"]["result"], "named_under_rectification", "{v}");
    assert_eq!(v["answer"]["held"], true);
    let mine = v["answer"]["bases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == b.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(mine["status"], "rectification");
    assert!(mine["rectification_until"].is_string(), "{mine}");
    assert!(v["answer"]["result_zh"].as_str().unwrap().contains("限期整改"));

    // After termination: not named from the effective date, named the day before.
    let (b, from) = first_day_of(&all, |s| s == BaseStatus::Terminated);
    let after = ask(&c, &b.uscc, from).await;
    assert_eq!(after["answer"]["result"], "not_named", "{after}");
    let mine = after["answer"]["bases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == b.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (mine["status"].as_str(), mine["valid"].as_bool()),
        (Some("terminated"), Some(false))
    );
    assert!(after["statement"]["bases"].as_array().unwrap().is_empty(), "{after}");
    let before = ask(&c, &b.uscc, from - Duration::days(1)).await;
    assert!(before["answer"]["held"].as_bool().unwrap(), "{before}");

    // Revoked (湖北第二十九条), disqualified (湖南第十六条) and exited to the national register
    // (湖南第十七条): no longer named from the effective date.
    for (code, pred) in [
        ("revoked", (|s| s == BaseStatus::Revoked) as fn(BaseStatus) -> bool),
        ("disqualified", |s| matches!(s, BaseStatus::Disqualified { .. })),
        ("exited_national", |s| s == BaseStatus::ExitedNational),
    ] {
        let (b, from) = first_day_of(&all, pred);
        let after = ask(&c, &b.uscc, from).await;
        assert_eq!(after["answer"]["result"], "not_named", "{code}: {after}");
        let mine = after["answer"]["bases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == b.id.as_str())
            .unwrap()
            .clone();
        assert_eq!(mine["status"], code);
        let before = ask(&c, &b.uscc, from - Duration::days(1)).await;
        assert_eq!(before["answer"]["result"], "named", "{code}: {before}");
    }

    // Grades as of the date: an evaluation is known from the day it was recorded, an annual
    // grade likewise.
    let b = all
        .iter()
        .find(|b| !b.evaluations.is_empty() && !b.annual_grades.is_empty() && b.status_on(today).is_some())
        .unwrap();
    let e = b.evaluations.last().unwrap();
    let on_day = ask(&c, &b.uscc, e.on).await;
    let mine = on_day["answer"]["bases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == b.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(mine["evaluation"]["grade"], e.grade.as_str(), "{mine}");
    assert_eq!(mine["evaluation"]["on"], e.on.to_string());
    let day_before = ask(&c, &b.uscc, e.on - Duration::days(1)).await;
    let mine = day_before["answer"]["bases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == b.id.as_str())
        .unwrap()
        .clone();
    assert_ne!(
        mine["evaluation"]["on"],
        e.on.to_string(),
        "not known before it was recorded"
    );
    let (year, g) = b.annual_grades.iter().next_back().expect("the base has annual grades");
    let v = ask(&c, &b.uscc, g.recorded_on).await;
    let mine = v["answer"]["bases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == b.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(mine["annual_assessment"]["year"], *year, "{mine}");
    assert_eq!(mine["annual_assessment"]["grade"], g.grade.as_str());
    let v = ask(&c, &b.uscc, g.recorded_on - Duration::days(1)).await;
    let mine = v["answer"]["bases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == b.id.as_str())
        .unwrap()
        .clone();
    assert_ne!(mine["annual_assessment"]["year"], *year);

    // No personal data: no director's name, no contact, for any unit of the demo.
    let mut units: Vec<&str> = all.iter().map(|b| b.uscc.as_str()).collect();
    units.sort();
    units.dedup();
    for u in units {
        let r = c.get(&format!("/api/v1/verify?uscc={u}")).await;
        assert_eq!(r.status, 200, "{}", r.body);
        for b in &all {
            assert!(!r.body.contains(&b.director), "director {} in {}", b.director, r.body);
        }
        assert!(!r.body.contains('@') && !r.body.contains("director"), "{}", r.body);
    }
}

fn sm2_verifies(public_key_hex: &str, message: &[u8], signature_hex: &str) -> bool {
    let pk = hex::decode(public_key_hex).unwrap();
    let vk = VerifyingKey::from_sec1_bytes("1234567812345678", &pk).expect("an SM2 public key");
    let sig = Signature::from_slice(&hex::decode(signature_hex).unwrap()).expect("r ‖ s");
    vk.verify(message, &sig).is_ok()
}

#[tokio::test]
async fn the_statement_verifies_with_the_published_key_and_is_audited() {
    let app = api_common::demo_app().await;
    let c = Client::new(&app);
    let today = app.state.today();
    let all = bases(&app).await;
    let b = sole_named_base(&all, "hunan-2026", today);

    let k = c.get("/api/v1/verify/public-key").await;
    assert_eq!(k.status, 200, "{}", k.body);
    let k = k.json();
    assert_eq!(k["key_name"], "verification-signing");
    assert_eq!(k["distinguishing_id"], "1234567812345678");
    let public_key = k["public_key"].as_str().unwrap().to_string();

    let seq = app
        .state
        .guohe
        .log()
        .read_all(0, 1_000_000)
        .await
        .unwrap()
        .last()
        .unwrap()
        .seq;
    let v = ask(&c, &b.uscc, today).await;
    let s = &v["statement"];
    let canonical = s["canonical"].as_str().unwrap();
    assert_eq!(s["public_key"], public_key.as_str());
    assert!(sm2_verifies(
        &public_key,
        canonical.as_bytes(),
        s["signature"].as_str().unwrap()
    ));
    for line in [
        "format=guohe-verification/1\n".to_string(),
        format!("uscc={}\n", b.uscc),
        format!("on={today}\n"),
        "result=named\n".to_string(),
        format!("bases={}\n", b.id),
        format!("issued_at={}\n", s["issued_at"].as_str().unwrap()),
        format!("expires_at={}\n", s["expires_at"].as_str().unwrap()),
        "key=verification-signing\n".to_string(),
        format!("key_version={}\n", k["key_version"]),
    ] {
        assert!(canonical.contains(&line), "{line:?} in {canonical}");
    }
    let issued = chrono::DateTime::parse_from_rfc3339(s["issued_at"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(s["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(expires - issued, Duration::minutes(15), "the default lifetime");

    // Tampered: another result, another unit, or another signature — none verifies.
    let tampered = canonical.replace("result=named", "result=not_named");
    assert!(!sm2_verifies(
        &public_key,
        tampered.as_bytes(),
        s["signature"].as_str().unwrap()
    ));
    let other = canonical.replace(&b.uscc, "91430100MA4L7Y3J6D");
    assert!(!sm2_verifies(
        &public_key,
        other.as_bytes(),
        s["signature"].as_str().unwrap()
    ));
    let mut sig = hex::decode(s["signature"].as_str().unwrap()).unwrap();
    sig[10] ^= 1;
    assert!(!sm2_verifies(&public_key, canonical.as_bytes(), &hex::encode(sig)));

    // Audited: who asked, what, the answer — and nothing personal.
    let evs = app.state.guohe.log().read_all(seq, 100).await.unwrap();
    let e = evs.iter().find(|e| e.kind == "VerificationAnswered").expect("audited");
    assert!(e.stream.starts_with("audit/"));
    assert!(e.actor.starts_with("public:"), "{}", e.actor);
    assert_eq!(e.payload["uscc"], b.uscc.as_str());
    assert_eq!(e.payload["on"], today.to_string());
    assert_eq!(e.payload["result"], "named");
    assert_eq!(e.payload["bases"][0], b.id.as_str());
    assert_eq!(e.payload["via"], "api");
    assert!(!e.payload.to_string().contains(&b.director));

    // The download is the same answer as a file.
    let d = c.get(&format!("/api/v1/verify?uscc={}&download=1", b.uscc)).await;
    assert_eq!(d.status, 200);
    assert!(
        d.header("content-disposition").starts_with("attachment"),
        "{:?}",
        d.headers
    );
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_field_and_a_flood_gets_429() {
    let app = common::spawn_with(common::Options {
        demo: true,
        tweak: |cfg| cfg.verify_per_minute = 6,
        ..Default::default()
    })
    .await;
    let c = Client::new(&app);
    let today = app.state.today();
    let uscc = api_common::uscc("hn-xjsw");

    let field = |r: &Resp, name: &str| {
        let p = r.problem(400);
        assert_eq!(p["field"], name, "{p}");
        assert!(!p["detail"].as_str().unwrap().is_empty() && !p["detail_en"].as_str().unwrap().is_empty());
        p
    };
    // A wrong check character (GB 11714 / GB 32100).
    let mut wrong = uscc.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '1' { '2' } else { '1' });
    let p = field(&c.get(&format!("/api/v1/verify?uscc={wrong}")).await, "uscc");
    assert!(p["detail"].as_str().unwrap().contains("统一社会信用代码"), "{p}");
    field(&c.get("/api/v1/verify").await, "uscc");
    field(&c.get(&format!("/api/v1/verify?uscc={uscc}&on=2026-13-01")).await, "on");
    let p = field(
        &c.get(&format!("/api/v1/verify?uscc={uscc}&on={}", today + Duration::days(1)))
            .await,
        "on",
    );
    assert!(p["detail_en"].as_str().unwrap().contains("after today"), "{p}");

    // Six in the minute were allowed; the seventh waits, the page too.
    let r = c.get(&format!("/api/v1/verify?uscc={uscc}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let page = app.get(&format!("/verify?q={uscc}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let r = c.get(&format!("/api/v1/verify?uscc={uscc}")).await;
    let p = r.problem(429);
    assert_eq!(p["code"], "verify_rate_limited");
    let wait: u64 = r.header("retry-after").parse().expect("Retry-After in seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    let page = app.get(&format!("/verify?q={uscc}")).await;
    assert_eq!(page.status, 429);
    assert!(page.body.contains("核验请求过于频繁"), "{}", page.body);
    // The public key is not limited.
    assert_eq!(c.get("/api/v1/verify/public-key").await.status, 200);
}

/// Two servers on one database (here two applications on one SQLite file; `guohe serve` on
/// PostgreSQL in crates/cli/tests/two_servers_writes.rs) count one client's requests together:
/// spreading them over the servers behind a proxy does not multiply the limit.
#[tokio::test]
async fn two_servers_on_one_database_share_the_rate_limit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("guohe.db");
    let on_the_same_database = || {
        Some(common::Existing {
            database_url: format!("sqlite://{}", db.display()),
            key_file: dir.path().join("guohe.db.keys.json"),
        })
    };
    let a = common::spawn_with(common::Options {
        existing: on_the_same_database(),
        tweak: |cfg| cfg.verify_per_minute = 3,
        ..Default::default()
    })
    .await;
    let b = common::spawn_with(common::Options {
        existing: on_the_same_database(),
        tweak: |cfg| cfg.verify_per_minute = 3,
        ..Default::default()
    })
    .await;
    let ask = format!("/api/v1/verify?uscc={}", api_common::uscc("hn-xjsw"));
    assert_eq!(a.get(&ask).await.status, 200);
    assert_eq!(b.get(&ask).await.status, 200);
    assert_eq!(a.get(&ask).await.status, 200);
    // Three in the minute, whichever server took them: the fourth waits on both.
    let r = b.get(&ask).await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("verify_rate_limited"), "{}", r.body);
    assert_eq!(a.get(&ask).await.status, 429);
    let page = a.get(&format!("/verify?q={}", api_common::uscc("hn-xjsw"))).await;
    assert_eq!(page.status, 429);
}

#[tokio::test]
async fn the_page_finds_units_by_name_and_shows_the_statement() {
    let app = api_common::demo_app().await;
    let today = app.state.today();
    let all = bases(&app).await;
    let b = sole_named_base(&all, "hubei-2022", today);

    let r = app.get("/verify").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("name=\"q\"") && r.body.contains("name=\"on\""));

    // By (part of) the name: a list of units, each linking to its answer.
    let part: String = b.unit_name.chars().take(4).collect();
    let r = app.get(&format!("/verify?q={}", enc(&part))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains(&format!("/verify?uscc={}", b.uscc)), "{}", r.body);
    let r = app.get(&format!("/verify?q={}", enc("不存在的单位名称"))).await;
    assert!(r.body.contains("没有名称相符"), "{}", r.body);

    // By USCC and date: the answer, the articles and the statement.
    let r = app
        .get(&format!("/verify?uscc={}&on={}", b.uscc, b.recognised_on))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("data-result=\"named\""), "{}", r.body);
    assert!(r.body.contains(&b.id) && r.body.contains("第十九条") && r.body.contains("第二十条"));
    assert!(r.body.contains("id=\"statement-canonical\"") && r.body.contains("result=named"));
    assert!(r.body.contains("download=1"));
    assert!(!r.body.contains(&b.director));
    let r = app
        .get(&format!(
            "/verify?uscc={}&on={}",
            b.uscc,
            b.recognised_on - Duration::days(1)
        ))
        .await;
    assert!(r.body.contains("data-result=\"not_named\""), "{}", r.body);

    // Bad input: the form again with the field named.
    let mut wrong = b.uscc.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '1' { '2' } else { '1' });
    let r = app.get(&format!("/verify?q={wrong}")).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("<code>uscc</code>"), "{}", r.body);
    let r = app
        .get(&format!("/verify?uscc={}&on={}", b.uscc, today + Duration::days(3)))
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("<code>on</code>") && r.body.contains("不能晚于今天"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn without_a_key_the_answer_says_why_it_is_unsigned() {
    let app = common::spawn_app().await;
    let c = Client::new(&app);
    let r = c
        .get(&format!("/api/v1/verify?uscc={}", api_common::uscc("hn-xjsw")))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["answer"]["result"], "not_named");
    assert!(v["statement"].is_null(), "{v}");
    assert!(
        v["statement_unavailable"]["reason_en"]
            .as_str()
            .unwrap()
            .contains("verification-signing"),
        "{v}"
    );
    let p = c.get("/api/v1/verify/public-key").await.problem(503);
    assert_eq!(p["code"], "no_verification_key");
}
