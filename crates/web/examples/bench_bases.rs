//! Load-test data: fills a fresh database with N carried-over bases (default 10,000), half in
//! Hubei and half in Hunan, spread over prefectures, domains, partner countries, categories and
//! recognition years, each with its own valid 统一社会信用代码; M submitted applications in an
//! open Hubei round (default 1,000); one department account `bench-dept` (password
//! `Guohe@Demo2026`); and one support unit's account `bench-unit`, the unit of the third base
//! and of the second application (same password, no second factor); and one recommender's
//! account `bench-rec` over the first Hubei prefecture (same password, no second factor).
//! Everything goes through the real application service (`Guohe::execute`:
//! `CarryOverBase`, `OpenRound`, `SubmitApplication`) and the account service, so what the server
//! reads is exactly what the rules produce. The department account is enrolled for its second
//! factor; its TOTP secret is printed (`TOTP secret: …`). Used by `bench/load.sh`.
//!
//! `cargo run --release -p guohe-web --example bench_bases -- sqlite:///tmp/bench.db 10000 1000`
//! `cargo run --release -p guohe-web --example bench_bases -- --totp SECRET` prints the current
//! one-time code for a secret (what an authenticator app shows).

use std::time::Instant;

use chrono::NaiveDate;
use guohe_domain::{Actor, Command};
use guohe_reference::region::{self, RegionKind};
use guohe_store::{AccountRole, Organisation};
use guohe_web::ServeConfig;
use guohe_web::accounts::{NewUser, create_account, create_organisation};
use serde_json::{Value, json};

const HUBEI_APP: &str = include_str!("../../../examples/applications/hubei-enterprise.json");

const DOMAINS: &[&str] = &[
    "生物医药",
    "光电子信息",
    "先进储能材料",
    "智能制造",
    "轨道交通装备",
    "新能源汽车",
    "有色金属新材料",
    "现代农业",
    "绿色化工",
    "人工智能与大数据",
    "航空航天",
    "医疗器械",
    "船舶与海洋工程",
    "核技术应用",
    "节能环保",
    "新一代信息技术",
];
const COUNTRIES: &[&str] = &[
    "DE", "FR", "US", "GB", "JP", "KR", "SG", "AU", "IT", "NL", "CH", "RU", "DK", "NO", "CA", "IL",
];
const UNIT_WORDS: &[&str] = &[
    "科技",
    "新材料",
    "生物",
    "智能装备",
    "电子",
    "能源",
    "精密制造",
    "农业科技",
];
const CATEGORIES: &[&str] = &["joint_research", "technology_transfer", "distinctive"];
const CATEGORY_SUFFIX: &[&str] = &["联合研究", "技术转移", "特色"];
/// Creates a Hubei account of the bench through the account service (password `Guohe@Demo2026`).
async fn bench_account(
    state: &guohe_web::AppState,
    login: &str,
    name: &str,
    role: AccountRole,
    org_id: Option<String>,
) -> anyhow::Result<()> {
    let user = NewUser {
        login: login.into(),
        display_name: name.into(),
        role,
        org_id,
        password: "Guohe@Demo2026".into(),
        province: "42".into(),
        must_change_password: false,
        profile: Default::default(),
        pending_approval: false,
    };
    create_account(state, "system:bench", user)
        .await
        .map_err(|e| anyhow::anyhow!("bench account {login}: {e:?}"))?;
    Ok(())
}

/// The base whose unit is `bench-unit`: the third, a Hubei base in the second Hubei prefecture,
/// where the second application's unit is too.
const BENCH_UNIT_BASE: usize = 2;

/// A valid USCC for division `region` and the n-th organisation code body.
fn uscc(region: &str, n: usize) -> String {
    guohe_app::generate::facts::complete_uscc(&format!("91{region}MB{n:06}"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("--totp") {
        let secret = args
            .nth(1)
            .ok_or_else(|| anyhow::anyhow!("--totp needs the base32 secret"))?;
        let key = guohe_web::totp::base32_decode(&secret).ok_or_else(|| anyhow::anyhow!("not base32: {secret}"))?;
        println!("{}", guohe_web::totp::code_at(&key, chrono::Utc::now().timestamp()));
        return Ok(());
    }
    let url = args.next().unwrap_or_else(|| "sqlite:///tmp/guohe-bench.db".into());
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(10_000);
    let apps: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1_000);
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
    let (_, state) = guohe_web::app(ServeConfig {
        database_url: url.clone(),
        today: Some(today),
        ..ServeConfig::default()
    })
    .await?;
    let guohe = state.guohe.clone();
    bench_account(
        &state,
        "bench-dept",
        "湖北省科技厅国际合作处（压测）",
        AccountRole::Department,
        None,
    )
    .await?;
    let (secret, _) = guohe_web::second_factor::enrol_confirmed(&state, "system:bench", "bench-dept")
        .await
        .map_err(|e| anyhow::anyhow!("bench account's second factor: {e:?}"))?;
    println!("bench-dept TOTP secret: {secret}");
    let prefectures = |p: &str| -> Vec<(&'static str, &'static str)> {
        region::all()
            .iter()
            .filter(|r| r.kind == RegionKind::Prefecture && r.province_code() == p)
            .map(|r| (r.code, r.name))
            .collect()
    };
    let hubei = prefectures(region::HUBEI);
    let hunan = prefectures(region::HUNAN);
    let started = Instant::now();
    for i in 0..n {
        let hunan_base = i % 2 == 1;
        let (code, city) = if hunan_base {
            hunan[(i / 2) % hunan.len()]
        } else {
            hubei[(i / 2) % hubei.len()]
        };
        let domain = DOMAINS[(i / 3) % DOMAINS.len()];
        let country = COUNTRIES[(i / 5) % COUNTRIES.len()];
        let year = 2015 + (i % 11) as i32;
        let recognised = NaiveDate::from_ymd_opt(year, 1 + (i % 12) as u32, 1 + (i % 28) as u32).expect("date");
        let city_short = city.trim_end_matches(['市', '州']);
        let unit = format!(
            "{city_short}{}{}有限公司{i:05}",
            domain,
            UNIT_WORDS[i % UNIT_WORDS.len()]
        );
        let mut cmd = json!({
            "type": "CarryOverBase",
            "base_id": format!("{}-B{i:05}", if hunan_base { "HN" } else { "HB" }),
            "unit_name": unit,
            "uscc": uscc(code, i),
            "domain": domain,
            "director": format!("负责人{i:05}"),
            "partner_country": country,
            "recognised_on": recognised,
        });
        let actor = if hunan_base {
            let k = (i / 2) % CATEGORIES.len();
            cmd["policy"] = json!("hunan-2026");
            cmd["category"] = json!(CATEGORIES[k]);
            cmd["official_name"] = json!(format!(
                "湖南省科学技术厅{domain}国际科技合作基地（{}）{i:05}",
                CATEGORY_SUFFIX[k]
            ));
            "dept:hn-dept"
        } else {
            cmd["policy"] = json!("hubei-2022");
            cmd["official_name"] = json!(format!("湖北省{domain}国际科技合作基地{i:05}"));
            "dept:hb-dept"
        };
        let cmd: Command = serde_json::from_value(cmd)?;
        let actor = Actor::parse(actor).map_err(|e| anyhow::anyhow!(e))?;
        guohe
            .execute(&actor, today, cmd)
            .await
            .map_err(|e| anyhow::anyhow!("base {i}: {}", e.message_zh()))?;
        if (i + 1) % 1000 == 0 {
            eprintln!("{} bases ({:.1} s)", i + 1, started.elapsed().as_secs_f64());
        }
    }
    let dept = Actor::parse("dept:hb-dept").map_err(|e| anyhow::anyhow!(e))?;
    let round: Command = serde_json::from_value(json!({"type": "OpenRound", "id": "HB-BENCH", "policy": "hubei-2022",
        "title": "2026年度湖北省国际科技合作基地申报（压测）", "opens_on": "2026-10-01", "closes_on": "2026-12-31"}))?;
    guohe
        .execute(&dept, today, round)
        .await
        .map_err(|e| anyhow::anyhow!("round: {}", e.message_zh()))?;
    for j in 0..apps {
        let (code, city) = hubei[j % hubei.len()];
        let domain = DOMAINS[j % DOMAINS.len()];
        let mut f: Value = serde_json::from_str(HUBEI_APP)?;
        f["application_date"] = json!(today);
        f["technology_domain"] = json!(domain);
        f["unit"]["name"] = json!(format!("{}{domain}申报单位{j:05}", city.trim_end_matches('市')));
        // The second application is by the unit of the third base (a Hubei base in another
        // domain): `bench-unit`'s home shows both.
        let unit_code = if j == 1 { BENCH_UNIT_BASE } else { 500_000 + j };
        f["unit"]["uscc"] = json!(uscc(code, unit_code));
        f["unit"]["region_code"] = json!(code);
        let cmd: Command = serde_json::from_value(
            json!({"type": "SubmitApplication", "id": format!("HB-BENCH-{j:05}"), "round": "HB-BENCH", "facts": f}),
        )?;
        let actor = Actor::parse(&format!("unit:bench-{j:05}")).map_err(|e| anyhow::anyhow!(e))?;
        guohe
            .execute(&actor, today, cmd)
            .await
            .map_err(|e| anyhow::anyhow!("application {j}: {}", e.message_zh()))?;
    }
    if n > BENCH_UNIT_BASE && apps > 1 {
        let (code, _) = hubei[1];
        let org = uscc(code, BENCH_UNIT_BASE);
        bench_account(
            &state,
            "bench-unit",
            "压测依托单位",
            AccountRole::SupportUnit,
            Some(org),
        )
        .await?;
    }
    // 辖区: a recommender over the first Hubei prefecture, whose bases and applications are a
    // share of the register's (its lists cost its jurisdiction's, not the register's).
    let (first_prefecture, city) = hubei[0];
    let org = Organisation {
        id: "bench-rec".into(),
        name: format!("{city}科学技术局（压测）"),
        kind: "recommender".into(),
        region_prefixes: vec![first_prefecture[..4].to_string()],
        unit_usccs: Vec::new(),
        province: "42".into(),
    };
    create_organisation(&state, "system:bench", &org)
        .await
        .map_err(|e| anyhow::anyhow!("bench organisation: {e:?}"))?;
    bench_account(
        &state,
        "bench-rec",
        &org.name,
        AccountRole::Recommender,
        Some(org.id.clone()),
    )
    .await?;
    let (bases, applications) = guohe
        .read(|w, _, _| (w.bases().count(), w.applications().count()))
        .await;
    println!(
        "{bases} bases, {applications} applications, accounts bench-dept, bench-unit and bench-rec in {url} ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
