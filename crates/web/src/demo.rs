//! 演示数据 — realistic demo data for both provinces, run through the real application service
//! (`Guohe::execute` / `tick`), so every event, citation and status is what the rules produce.
//!
//! The demo holds, for 湖北 (hubei-2022) and 湖南 (hunan-2026): rounds, applications in every
//! stage, bases in every state (active, under rectification, terminated, revoked, disqualified,
//! left for the national register), a 公示 running on the business date with a real-name
//! objection, and named bases for the 公告. Older history has fixed dates; the latest round is
//! dated back from the business date, so the running notice is always current. Steps that fall
//! after the business date are left out. Seeding twice changes nothing.

use chrono::{Duration, NaiveDate};
use guohe_domain::{Actor, Command};
use guohe_store::{AccountRole, Organisation};
use serde_json::{Value, json};

use crate::AppState;
use crate::accounts::{self, NewUser};
use crate::second_factor;

/// The demo's own business date (演示业务日期), used by `guohe serve --demo` without `--today`.
/// The demo is built relative to its business date (the running 公示 ends working days after
/// it), so it needs a date that the built-in holiday schedules cover and at which both shipped
/// regulations are in force; today's real date stops being such a date once the schedules'
/// last year is over. A fixed date keeps the demo the same complete demo whenever it is run.
pub const DEMO_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 20) {
    Some(d) => d,
    None => panic!("the demo date is a valid date"),
};

/// The password of every demo account (meets the complexity rule).
pub const DEMO_PASSWORD: &str = "Guohe@Demo2026";

/// A support unit of the demo.
#[derive(Debug, Clone, Copy)]
pub struct DemoUnit {
    /// Login.
    pub login: &'static str,
    /// Name.
    pub name: &'static str,
    /// Kind code.
    pub kind: &'static str,
    /// Affiliation: local, provincial, central.
    pub affiliation: &'static str,
    /// Region code.
    pub region: &'static str,
    /// Organisation code body (8 characters) for the USCC.
    pub org: &'static str,
}

/// Support units.
pub const UNITS: &[DemoUnit] = &[
    DemoUnit {
        login: "hn-xjsw",
        name: "湖南湘江生物医药股份有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "430100",
        org: "MA4L1234",
    },
    DemoUnit {
        login: "hn-zngy",
        name: "中南矿冶大学",
        kind: "university",
        affiliation: "central",
        region: "430100",
        org: "44488159",
    },
    DemoUnit {
        login: "hn-zzgd",
        name: "株洲时代轨道装备有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "430200",
        org: "MA4P2201",
    },
    DemoUnit {
        login: "hn-xtcn",
        name: "湘潭先进储能材料研究院",
        kind: "research_institute",
        affiliation: "local",
        region: "430300",
        org: "MB1C3302",
    },
    DemoUnit {
        login: "hn-yyhg",
        name: "岳阳洞庭绿色化工科技有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "430600",
        org: "MA4R6603",
    },
    DemoUnit {
        login: "hn-lgzz",
        name: "长沙麓谷智能制造有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "430100",
        org: "MA4T1104",
    },
    DemoUnit {
        login: "hn-lpzy",
        name: "长沙隆平杂交水稻种业科技有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "430100",
        org: "MA4U1105",
    },
    DemoUnit {
        login: "hn-hyhj",
        name: "衡阳核技术应用研究院",
        kind: "research_institute",
        affiliation: "local",
        region: "430400",
        org: "MB1D4406",
    },
    DemoUnit {
        login: "hn-zzhk",
        name: "株洲航空动力部件有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "430200",
        org: "MA4W2207",
    },
    DemoUnit {
        login: "hn-xtdq",
        name: "湘潭电气传动技术有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "430300",
        org: "MA4X3308",
    },
    DemoUnit {
        login: "hb-ggjg",
        name: "武汉光谷激光技术有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "420100",
        org: "MA4K5678",
    },
    DemoUnit {
        login: "hb-ljsw",
        name: "湖北珞珈生物医学工程研究院",
        kind: "research_institute",
        affiliation: "provincial",
        region: "420100",
        org: "MB1E0109",
    },
    DemoUnit {
        login: "hb-sxny",
        name: "宜昌三峡新能源装备有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "420500",
        org: "MA4Y0510",
    },
    DemoUnit {
        login: "hb-hjqc",
        name: "襄阳汉江汽车零部件有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "420600",
        org: "MA4H0611",
    },
    DemoUnit {
        login: "hb-dhcl",
        name: "武汉东湖新材料有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "420100",
        org: "MA4A0112",
    },
    DemoUnit {
        login: "hb-jcyl",
        name: "湖北江城医疗器械有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "420100",
        org: "MA4B0113",
    },
    DemoUnit {
        login: "hb-cjhy",
        name: "武汉长江船舶与海洋工程研究院",
        kind: "research_institute",
        affiliation: "provincial",
        region: "420100",
        org: "MB1F0114",
    },
    DemoUnit {
        login: "hb-wxsj",
        name: "武汉未来数据科技有限公司",
        kind: "enterprise",
        affiliation: "local",
        region: "420100",
        org: "MA4C0115",
    },
];

/// National bases joining the provincial register (湖北第三十条), with support units that have no
/// account in the demo: (base, name, unit, division, organisation code body, domain, director,
/// partner country, nationally recognised on).
#[allow(clippy::type_complexity)]
const NATIONAL_JOINING: [(&str, &str, &str, &str, &str, &str, &str, &str, &str); 4] = [
    (
        "HB-N-2017-03",
        "湖北省智能网联汽车国际科技合作基地",
        "武汉智联汽车研究院有限公司",
        "420100",
        "MA4D0216",
        "智能网联汽车",
        "刘建军",
        "DE",
        "2017-10-12",
    ),
    (
        "HB-N-2019-04",
        "湖北省光纤通信国际科技合作基地",
        "武汉光纤通信技术有限公司",
        "420100",
        "MA4E0317",
        "光纤通信",
        "周晓梅",
        "FR",
        "2019-09-20",
    ),
    (
        "HB-N-2020-05",
        "湖北省现代种业国际科技合作基地",
        "荆州现代种业科技有限公司",
        "421000",
        "MA4F0418",
        "现代种业",
        "罗大勇",
        "NL",
        "2020-11-06",
    ),
    (
        "HB-N-2021-06",
        "湖北省磷化工国际科技合作基地",
        "宜昌磷化工科技有限公司",
        "420500",
        "MA4G0519",
        "磷化工",
        "熊伟",
        "MA",
        "2021-05-18",
    ),
];

/// A valid 统一社会信用代码 for a demo unit: registration type by kind, the unit's division,
/// its organisation code with the GB 11714 check character, and the GB 32100 check character.
pub fn uscc_of(u: &DemoUnit) -> String {
    let head = if u.kind == "enterprise" { "91" } else { "12" };
    guohe_app::generate::facts::complete_uscc(&format!("{head}{}{}", u.region, u.org))
}

fn unit(login: &str) -> &'static DemoUnit {
    UNITS.iter().find(|u| u.login == login).unwrap_or(&UNITS[0])
}

/// Recommenders: (id, name, region prefixes, listed units).
fn recommenders() -> Vec<(&'static str, &'static str, Vec<String>, Vec<String>)> {
    vec![
        ("rec-changsha", "长沙市科学技术局", vec!["4301".into()], vec![]),
        ("rec-zhuzhou", "株洲市科学技术局", vec!["4302".into()], vec![]),
        ("rec-xiangtan", "湘潭市科学技术局", vec!["4303".into()], vec![]),
        ("rec-hengyang", "衡阳市科学技术局", vec!["4304".into()], vec![]),
        ("rec-yueyang", "岳阳市科学技术局", vec!["4306".into()], vec![]),
        (
            "rec-hnedu",
            "湖南省教育厅（省直部门）",
            vec![],
            vec![uscc_of(unit("hn-zngy"))],
        ),
        ("rec-wuhan", "武汉市科学技术局", vec!["4201".into()], vec![]),
        ("rec-yichang", "宜昌市科学技术局", vec!["4205".into()], vec![]),
        ("rec-xiangyang", "襄阳市科学技术局", vec!["4206".into()], vec![]),
    ]
}

/// Experts: (login, name, unit login). Each is in the pool of the province of their unit:
/// four per province, so three remain when one must withdraw for their own unit (回避).
const EXPERTS: &[(&str, &str, &str)] = &[
    ("expert-liu", "刘建国（教授）", "hn-zngy"),
    ("expert-zhou", "周立新（正高级工程师）", "hn-zzgd"),
    ("expert-tang", "唐晓明（研究员）", "hn-xtdq"),
    ("expert-xie", "谢文静（教授）", "hn-hyhj"),
    ("expert-chen", "陈晓燕（研究员）", "hb-ljsw"),
    ("expert-wang", "王海峰（教授）", "hb-cjhy"),
    ("expert-huang", "黄志强（正高级工程师）", "hb-wxsj"),
    ("expert-he", "何丽华（教授）", "hb-ggjg"),
];

/// The technology domains a demo expert reviews: a specialty and the domains of the demo
/// applications awaiting review in the expert's province, so that their panels can be drawn
/// (评审专家随机抽取 matches the application's domain).
fn expert_domains(login: &str) -> Vec<String> {
    let d: &[&str] = match login {
        "expert-liu" => &["智能制造", "核技术应用", "氢能装备"],
        "expert-zhou" => &["轨道交通装备", "核技术应用", "氢能装备"],
        "expert-tang" => &["电气传动", "核技术应用", "氢能装备"],
        "expert-xie" => &["绿色化工", "核技术应用", "氢能装备"],
        "expert-chen" => &["生物医药", "人工智能与大数据"],
        "expert-wang" => &["船舶与海洋工程", "人工智能与大数据"],
        "expert-huang" => &["光电子信息", "人工智能与大数据"],
        "expert-he" => &["先进高分子材料", "人工智能与大数据"],
        _ => &[],
    };
    d.iter().map(|x| x.to_string()).collect()
}

/// The administrators (三权分立): (login, name, role).
pub const ADMINISTRATORS: &[(&str, &str, AccountRole)] = &[
    ("sys-admin", "系统管理员", AccountRole::SystemAdmin),
    ("sec-admin", "安全管理员", AccountRole::SecurityAdmin),
    ("audit-admin", "审计管理员", AccountRole::AuditAdmin),
];

/// The province of a demo unit (and of an expert from it).
fn province_of_unit(login: &str) -> &'static str {
    if login.starts_with("hb-") { "42" } else { "43" }
}

/// The demo logins as printed by `guohe serve --demo`: every account that needs a second
/// factor is on its own line with its base32 TOTP secret, so that a newcomer can add it to an
/// authenticator app and a script can compute the code.
pub async fn logins_text(state: &AppState) -> anyhow::Result<String> {
    let mut out = format!("演示账号 Demo logins — password for all: {DEMO_PASSWORD}\n");
    for a in state.accounts.accounts().await? {
        if !second_factor::requires_second_factor(a.role) {
            continue;
        }
        let secret = second_factor::confirmed(state, &a.login)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .map(|f| f.secret)
            .unwrap_or_else(|| "（未绑定 not enrolled）".into());
        let (zh, en) = crate::authz::role_label(a.role);
        out.push_str(&format!(
            "  {zh} {en}: {} ({}) 动态口令密钥 TOTP secret: {secret}\n",
            a.login, a.display_name
        ));
    }
    let recs: Vec<&str> = recommenders().iter().map(|r| r.0).collect();
    out.push_str(&format!("  推荐单位 recommenders: {}\n", recs.join(", ")));
    let units: Vec<&str> = UNITS.iter().map(|u| u.login).collect();
    out.push_str(&format!("  依托单位 support units: {}\n", units.join(", ")));
    let experts: Vec<&str> = EXPERTS.iter().map(|e| e.0).collect();
    out.push_str(&format!("  评审专家 experts:      {}\n", experts.join(", ")));
    Ok(out)
}

/// Prints the demo logins ([`logins_text`]).
pub async fn print_logins(state: &AppState) -> anyhow::Result<()> {
    print!("{}", logins_text(state).await?);
    Ok(())
}

/// The line `guohe serve --demo` prints about its business date, so nobody mistakes the
/// demo's dates (notice periods, deadlines) for today's.
pub fn date_line(today: NaiveDate) -> String {
    if today == DEMO_DATE {
        format!(
            "演示业务日期：{today}（演示数据的固定日期；用 --today 指定其他日期）\n\
             Demo business date: {today} (the demo's own fixed date; --today sets another)"
        )
    } else {
        format!("业务日期：{today}（--today）\nBusiness date: {today} (--today)")
    }
}

/// Enrols a demo account's second factor (when its role needs one and it has none yet), as
/// an administrator would: the secret is printed with the logins.
pub async fn enrol_demo_account(state: &AppState, login: &str) -> anyhow::Result<()> {
    let Some(a) = state.accounts.account(login).await? else {
        return Ok(());
    };
    let enrolled = second_factor::confirmed(state, login)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .is_some();
    if second_factor::requires_second_factor(a.role) && !enrolled {
        second_factor::enrol_confirmed(state, "system:demo", login)
            .await
            .map_err(|e| anyhow::anyhow!("enrolling {login}: {e}"))?;
    }
    Ok(())
}

async fn seed_accounts(state: &AppState) -> anyhow::Result<()> {
    let by = "system:demo";
    for (id, name, regions, units) in recommenders() {
        let province = regions
            .first()
            .map(|r| r[..2].to_string())
            .unwrap_or_else(|| "43".into());
        let org = Organisation {
            id: id.into(),
            name: name.into(),
            kind: "recommender".into(),
            region_prefixes: regions,
            unit_usccs: units,
            province,
        };
        if state.accounts.organisation(id).await?.is_none() {
            accounts::create_organisation(state, by, &org)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    let mut users: Vec<NewUser> = vec![
        NewUser {
            login: "hn-dept".into(),
            display_name: "湖南省科技厅国际合作处".into(),
            role: AccountRole::Department,
            org_id: None,
            password: DEMO_PASSWORD.into(),
            province: "43".into(),
            must_change_password: false,
            profile: Default::default(),
            pending_approval: false,
        },
        NewUser {
            login: "hb-dept".into(),
            display_name: "湖北省科技厅国际合作处".into(),
            role: AccountRole::Department,
            org_id: None,
            password: DEMO_PASSWORD.into(),
            province: "42".into(),
            must_change_password: false,
            profile: Default::default(),
            pending_approval: false,
        },
    ];
    for (id, name, regions, _) in recommenders() {
        users.push(NewUser {
            login: id.into(),
            display_name: name.into(),
            role: AccountRole::Recommender,
            org_id: Some(id.into()),
            password: DEMO_PASSWORD.into(),
            province: regions
                .first()
                .map(|r| r[..2].to_string())
                .unwrap_or_else(|| "43".into()),
            must_change_password: false,
            profile: Default::default(),
            pending_approval: false,
        });
    }
    for u in UNITS {
        users.push(NewUser {
            login: u.login.into(),
            display_name: u.name.into(),
            role: AccountRole::SupportUnit,
            org_id: Some(uscc_of(u)),
            password: DEMO_PASSWORD.into(),
            province: province_of_unit(u.login).into(),
            must_change_password: false,
            profile: Default::default(),
            pending_approval: false,
        });
    }
    for (login, name, unit_login) in EXPERTS {
        users.push(NewUser {
            login: (*login).into(),
            display_name: (*name).into(),
            role: AccountRole::Expert,
            org_id: Some(uscc_of(unit(unit_login))),
            password: DEMO_PASSWORD.into(),
            province: province_of_unit(unit_login).into(),
            must_change_password: false,
            profile: guohe_store::AccountProfile {
                title: name
                    .split_once('（')
                    .map(|(_, t)| t.trim_end_matches('）').to_string())
                    .unwrap_or_default(),
                unit_name: unit(unit_login).name.into(),
                domains: expert_domains(login),
            },
            pending_approval: false,
        });
    }
    // 三权分立: one administrator of each duty, for every province of the deployment.
    for (login, name, role) in ADMINISTRATORS {
        users.push(NewUser {
            login: (*login).into(),
            display_name: (*name).into(),
            role: *role,
            org_id: None,
            password: DEMO_PASSWORD.into(),
            province: String::new(),
            must_change_password: false,
            profile: Default::default(),
            pending_approval: false,
        });
    }
    for u in users {
        let login = u.login.clone();
        if state.accounts.account(&u.login).await?.is_none() {
            accounts::create_account(state, by, u)
                .await
                .map_err(|e| anyhow::anyhow!("demo account {login}: {e:?}"))?;
        }
        enrol_demo_account(state, &login).await?;
    }
    Ok(())
}

/// Application facts (申报材料) from the policy's example, for a unit, domain, partner and date;
/// the tests build their own cases from it.
pub fn application_facts(
    policy: &str,
    u: &DemoUnit,
    domain: &str,
    category: Option<&str>,
    country: &str,
    director: &str,
    on: NaiveDate,
) -> Value {
    use guohe_app::generate::{facts, provinces::Template};
    let template = if policy == "hunan-2026" {
        Template::Hunan
    } else {
        Template::Hubei
    };
    let uscc = uscc_of(u);
    let unit = facts::UnitFacts {
        name: u.name,
        uscc: &uscc,
        kind: u.kind,
        affiliation: u.affiliation,
        region: u.region,
    };
    facts::application_facts(template, policy, &unit, domain, category, country, director, on)
}

struct Step {
    on: NaiveDate,
    actor: String,
    cmd: Value,
}

#[derive(Default)]
struct Plan {
    steps: Vec<Step>,
}

impl Plan {
    fn at(&mut self, on: NaiveDate, actor: &str, cmd: Value) {
        self.steps.push(Step {
            on,
            actor: actor.into(),
            cmd,
        });
    }

    /// Submit → (recommend) → three experts → reviews → decision, from `start`.
    #[allow(clippy::too_many_arguments)]
    fn through_decision(
        &mut self,
        start: NaiveDate,
        policy: &str,
        round: &str,
        app: &str,
        f: Value,
        rec: Option<&str>,
        decide: Option<&str>,
        reviews: usize,
    ) {
        let login = UNITS
            .iter()
            .find(|u| f["unit"]["name"] == u.name)
            .map(|u| u.login)
            .unwrap_or("applicant");
        self.at(
            start,
            &format!("unit:{login}"),
            json!({"type": "SubmitApplication", "id": app, "round": round, "facts": f}),
        );
        if let Some(r) = rec {
            let name = recommenders()
                .into_iter()
                .find(|x| x.0 == r)
                .map(|x| x.1)
                .unwrap_or("推荐单位");
            self.at(start + Duration::days(7), &format!("recommender:{r}"), json!({"type": "RecommendApplication", "application": app, "recommender": name, "opinion": "经形式审查，材料齐全，同意推荐。"}));
        }
        if reviews == 0 && decide.is_none() {
            return;
        }
        let unit_uscc = f["unit"]["uscc"].as_str().unwrap_or("").to_string();
        let dept = if policy == "hunan-2026" {
            "dept:hn-dept"
        } else {
            "dept:hb-dept"
        };
        let province = if policy == "hunan-2026" { "43" } else { "42" };
        let experts: Vec<_> = EXPERTS
            .iter()
            .filter(|e| province_of_unit(e.2) == province && uscc_of(unit(e.2)) != unit_uscc)
            .take(3)
            .collect();
        for (login, _, u) in &experts {
            self.at(start + Duration::days(14), dept, json!({"type": "AssignExpert", "application": app, "expert_id": login, "expert_unit_uscc": uscc_of(unit(u))}));
        }
        for (i, (login, _, _)) in experts.iter().enumerate().take(reviews) {
            let score = 82 + 3 * i as i64;
            self.at(start + Duration::days(24), &format!("expert:{login}"), json!({"type": "SubmitReview", "application": app, "expert": login, "score": score, "conclusion": "recommend", "comments": "合作基础扎实，外方伙伴稳定，建议认定。"}));
        }
        if let Some(d) = decide {
            let reasons = if d == "approve" {
                "综合专家评审意见和全省布局，同意认定。"
            } else {
                "国际合作实质性内容不足，不予认定。"
            };
            self.at(
                start + Duration::days(40),
                dept,
                json!({"type": "Decide", "application": app, "decision": d, "reasons": reasons}),
            );
        }
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

/// The last working days before `today`, newest first (for a notice running on `today`).
async fn working_days_before(state: &AppState, today: NaiveDate, n: usize) -> Vec<NaiveDate> {
    state
        .guohe
        .read(|_, cal, _| {
            let mut out = Vec::new();
            let mut x = today;
            for _ in 0..30 {
                x -= Duration::days(1);
                if cal.is_working_day(x).unwrap_or(false) {
                    out.push(x);
                    if out.len() == n {
                        break;
                    }
                }
            }
            out
        })
        .await
}

fn plan(today: NaiveDate, notice_start: Option<NaiveDate>) -> Plan {
    let mut p = Plan::default();
    let hb = "dept:hb-dept";
    let hn = "dept:hn-dept";
    // ---------- 湖北 hubei-2022 ----------
    p.at(d(2023, 1, 5), hb, json!({"type": "CarryOverBase", "base_id": "HB-2019-07", "policy": "hubei-2022", "official_name": "湖北省医疗器械国际科技合作基地", "unit_name": unit("hb-jcyl").name, "uscc": uscc_of(unit("hb-jcyl")), "domain": "医疗器械", "director": "黄志强", "partner_country": "KR", "recognised_on": "2019-11-20"}));
    p.at(d(2023, 1, 5), hb, json!({"type": "CarryOverBase", "base_id": "HB-N-2018-02", "policy": "hubei-2022", "official_name": "湖北省船舶与海洋工程国际科技合作基地", "unit_name": unit("hb-cjhy").name, "uscc": uscc_of(unit("hb-cjhy")), "domain": "船舶与海洋工程", "director": "吴海涛", "partner_country": "NO", "recognised_on": "2018-09-01", "national": true}));
    // National bases taken into provincial management (湖北第三十条), evaluated from the day they
    // joined: with the bases named in 2023 they make seven graded in 2026, so the post-subsidy's
    // share (湖北第二十五条, 20% rounded down) allows one of the three graded 优秀.
    for (id, name, unit_name, region, org, domain, director, country, recognised) in NATIONAL_JOINING {
        let u = DemoUnit {
            login: "",
            name: unit_name,
            kind: "enterprise",
            affiliation: "local",
            region,
            org,
        };
        p.at(d(2023, 1, 5), hb, json!({"type": "CarryOverBase", "base_id": id, "policy": "hubei-2022", "official_name": name, "unit_name": unit_name, "uscc": uscc_of(&u), "domain": domain, "director": director, "partner_country": country, "recognised_on": recognised, "national": true}));
    }
    p.at(d(2023, 3, 1), hb, json!({"type": "OpenRound", "id": "HB-2023", "policy": "hubei-2022", "title": "2023年度湖北省国际科技合作基地申报", "opens_on": "2023-03-01", "closes_on": "2023-04-30"}));
    let s = d(2023, 3, 15);
    p.through_decision(
        s,
        "hubei-2022",
        "HB-2023",
        "HB-2023-001",
        application_facts("hubei-2022", unit("hb-ggjg"), "光电子信息", None, "DE", "李明", s),
        Some("rec-wuhan"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hubei-2022",
        "HB-2023",
        "HB-2023-002",
        application_facts("hubei-2022", unit("hb-ljsw"), "生物医药", None, "US", "陈静", s),
        None,
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hubei-2022",
        "HB-2023",
        "HB-2023-003",
        application_facts("hubei-2022", unit("hb-sxny"), "新能源装备", None, "DK", "张伟", s),
        Some("rec-yichang"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hubei-2022",
        "HB-2023",
        "HB-2023-004",
        application_facts("hubei-2022", unit("hb-hjqc"), "新能源汽车", None, "IT", "赵磊", s),
        Some("rec-xiangyang"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hubei-2022",
        "HB-2023",
        "HB-2023-005",
        application_facts("hubei-2022", unit("hb-dhcl"), "先进高分子材料", None, "JP", "孙丽", s),
        Some("rec-wuhan"),
        Some("reject"),
        3,
    );
    p.at(d(2023, 4, 15), hb, json!({"type": "RecordSiteInspection", "application": "HB-2023-003", "inspectors": ["expert-wang", "expert-huang"], "findings": "中丹联合实验室运行正常，合作协议在有效期内。"}));
    p.at(d(2023, 6, 1), hb, json!({"type": "StartPublicNotice", "notice_id": "HB-GS-2023-1", "applications": ["HB-2023-001", "HB-2023-002", "HB-2023-003", "HB-2023-004"], "starts_on": "2023-06-01"}));
    for (a, b) in [
        ("HB-2023-001", "HB-2023-01"),
        ("HB-2023-002", "HB-2023-02"),
        ("HB-2023-003", "HB-2023-03"),
        ("HB-2023-004", "HB-2023-04"),
    ] {
        p.at(
            d(2023, 6, 15),
            hb,
            json!({"type": "Name", "application": a, "base_id": b, "on": "2023-06-15"}),
        );
    }
    let hubei_bases = [
        "HB-2023-01",
        "HB-2023-02",
        "HB-2023-03",
        "HB-2023-04",
        "HB-2019-07",
        "HB-N-2018-02",
        "HB-N-2017-03",
        "HB-N-2019-04",
        "HB-N-2020-05",
        "HB-N-2021-06",
    ];
    for year in 2023..=2025 {
        // A base that has left the register files and is graded no more.
        let current = |b: &&&str| year < 2025 || !matches!(**b, "HB-2023-03" | "HB-2023-04");
        for b in hubei_bases.iter().filter(current) {
            let who = if *b == "HB-2023-03" {
                "unit:hb-sxny"
            } else {
                "unit:demo"
            };
            p.at(d(year + 1, 1, 10), who, json!({"type": "SubmitAnnualReport", "base": b, "year": year, "submitted_on": format!("{}-01-10", year + 1)}));
        }
        for b in hubei_bases.iter().filter(current) {
            let grade = if *b == "HB-2023-03" && year <= 2024 {
                "unqualified"
            } else {
                "qualified"
            };
            p.at(
                d(year + 1, 2, 20),
                hb,
                json!({"type": "RecordAnnualAssessment", "base": b, "year": year, "grade": grade}),
            );
        }
    }
    p.at(d(2025, 5, 12), hb, json!({"type": "RecordFinding", "case": "base/HB-2023-04", "finding": "false_materials", "effective_on": "2025-05-12", "evidence": "省审计厅专项核查：申报材料中的外方合作协议系伪造。"}));
    p.at(
        d(2026, 7, 1),
        hb,
        json!({"type": "RecordEvaluation", "base": "HB-2023-01", "grade": "excellent"}),
    );
    p.at(
        d(2026, 7, 1),
        hb,
        json!({"type": "RecordEvaluation", "base": "HB-2023-02", "grade": "qualified"}),
    );
    for (b, grade) in [
        ("HB-N-2018-02", "excellent"),
        ("HB-N-2017-03", "qualified"),
        ("HB-N-2019-04", "excellent"),
        ("HB-N-2020-05", "qualified"),
        ("HB-N-2021-06", "qualified"),
    ] {
        p.at(
            d(2026, 7, 1),
            hb,
            json!({"type": "RecordEvaluation", "base": b, "grade": grade}),
        );
    }
    p.at(d(2026, 9, 1), hb, json!({"type": "OpenRound", "id": "HB-2026", "policy": "hubei-2022", "title": "2026年度湖北省国际科技合作基地申报", "opens_on": "2026-09-01", "closes_on": "2026-12-31"}));
    let s = d(2026, 9, 15);
    p.through_decision(
        s,
        "hubei-2022",
        "HB-2026",
        "HB-2026-001",
        application_facts("hubei-2022", unit("hb-wxsj"), "人工智能与大数据", None, "SG", "钱程", s),
        None,
        None,
        0,
    );
    // ---------- 湖南 hunan-2026 ----------
    p.at(d(2026, 2, 24), hn, json!({"type": "CarryOverBase", "base_id": "HN-2018-05", "policy": "hunan-2026", "official_name": "湖南省电气传动国际技术转移中心", "unit_name": unit("hn-xtdq").name, "uscc": uscc_of(unit("hn-xtdq")), "domain": "电气传动", "old_category": "国际技术转移中心", "director": "彭国平", "partner_country": "DE", "recognised_on": "2018-05-10"}));
    p.at(d(2026, 2, 24), hn, json!({"type": "CarryOverBase", "base_id": "HN-2019-11", "policy": "hunan-2026", "official_name": "湖南省航空动力国际联合研究中心", "unit_name": unit("hn-zzhk").name, "uscc": uscc_of(unit("hn-zzhk")), "domain": "航空动力", "old_category": "国际联合研究中心（实验室）", "director": "邓文斌", "partner_country": "FR", "recognised_on": "2019-12-02"}));
    p.at(d(2026, 3, 1), hn, json!({"type": "OpenRound", "id": "HN-2026-1", "policy": "hunan-2026", "title": "2026年度湖南省国际科技合作基地申报（第一批）", "opens_on": "2026-03-01", "closes_on": "2026-04-30"}));
    let s = d(2026, 3, 16);
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-1",
        "HN-2026-101",
        application_facts(
            "hunan-2026",
            unit("hn-xjsw"),
            "生物医药",
            Some("joint_research"),
            "DE",
            "王芳",
            s,
        ),
        Some("rec-changsha"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-1",
        "HN-2026-102",
        application_facts(
            "hunan-2026",
            unit("hn-zngy"),
            "有色金属新材料",
            Some("joint_research"),
            "AU",
            "何志远",
            s,
        ),
        Some("rec-hnedu"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-1",
        "HN-2026-103",
        application_facts(
            "hunan-2026",
            unit("hn-zzgd"),
            "轨道交通装备",
            Some("technology_transfer"),
            "FR",
            "罗建军",
            s,
        ),
        Some("rec-zhuzhou"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-1",
        "HN-2026-104",
        application_facts(
            "hunan-2026",
            unit("hn-xtcn"),
            "先进储能材料",
            Some("distinctive"),
            "JP",
            "易晓红",
            s,
        ),
        Some("rec-xiangtan"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-1",
        "HN-2026-105",
        application_facts(
            "hunan-2026",
            unit("hn-yyhg"),
            "绿色化工",
            Some("joint_research"),
            "SG",
            "谢文",
            s,
        ),
        Some("rec-yueyang"),
        Some("reject"),
        3,
    );
    p.at(d(2026, 6, 1), hn, json!({"type": "StartPublicNotice", "notice_id": "HN-GS-2026-1", "applications": ["HN-2026-101", "HN-2026-102", "HN-2026-103", "HN-2026-104"], "starts_on": "2026-06-01"}));
    p.at(d(2026, 6, 3), "public:objector", json!({"type": "LodgeObjection", "notice": "HN-GS-2026-1", "application": "HN-2026-103", "objector_real_name": "李卫东", "contact": "0731-88886666", "content": "该单位与法方合作协议是否仍在有效期内，请核实。"}));
    p.at(d(2026, 6, 9), hn, json!({"type": "ResolveObjection", "objection": "HN-GS-2026-1-1", "resolution": "经核实，合作协议已于2025年续签至2030年，异议不成立。", "upheld": false}));
    for (a, b) in [
        ("HN-2026-101", "HN-2026-01"),
        ("HN-2026-102", "HN-2026-02"),
        ("HN-2026-103", "HN-2026-03"),
        ("HN-2026-104", "HN-2026-04"),
    ] {
        p.at(
            d(2026, 6, 15),
            hn,
            json!({"type": "Name", "application": a, "base_id": b, "on": "2026-06-15"}),
        );
    }
    p.at(
        d(2026, 7, 6),
        hn,
        json!({"type": "RecordEvaluation", "base": "HN-2018-05", "grade": "unqualified"}),
    );
    p.at(d(2026, 8, 10), hn, json!({"type": "RecordFinding", "case": "base/HN-2019-11", "finding": "false_information", "effective_on": "2026-08-10", "evidence": "评估材料中国际合作项目经费数据与审计报告不符。"}));
    p.at(d(2026, 9, 10), "unit:hn-xjsw", json!({"type": "FileMajorChange", "base": "HN-2026-01", "change_id": "C1", "kind": "rename", "details": {"description": "依托单位研究方向拓展，申请更名。", "official_name": "湖南省科学技术厅生物医药与健康国际科技合作基地（联合研究）"}}));
    p.at(d(2026, 10, 20), hn, json!({"type": "RecordFinding", "case": "base/HN-2026-02", "finding": "national_recognition", "effective_on": "2026-10-15", "evidence": "科技部国科发外〔2026〕88号"}));
    // The current round, dated back from the business date so the notice runs today.
    let r = today - Duration::days(80);
    p.at(r, hn, json!({"type": "OpenRound", "id": "HN-2026-2", "policy": "hunan-2026", "title": "2026年度湖南省国际科技合作基地申报（第二批）", "opens_on": r, "closes_on": today - Duration::days(25)}));
    let s = r + Duration::days(5);
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-201",
        application_facts(
            "hunan-2026",
            unit("hn-lgzz"),
            "智能制造",
            Some("joint_research"),
            "DE",
            "曾志刚",
            s,
        ),
        Some("rec-changsha"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-202",
        application_facts(
            "hunan-2026",
            unit("hn-lpzy"),
            "杂交水稻育种",
            Some("distinctive"),
            "PH",
            "袁晓农",
            s,
        ),
        Some("rec-changsha"),
        Some("approve"),
        3,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-203",
        application_facts(
            "hunan-2026",
            unit("hn-hyhj"),
            "核技术应用",
            Some("joint_research"),
            "RU",
            "肖振华",
            s,
        ),
        Some("rec-hengyang"),
        None,
        1,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-204",
        application_facts(
            "hunan-2026",
            unit("hn-zzgd"),
            "氢能装备",
            Some("technology_transfer"),
            "GB",
            "罗建军",
            s,
        ),
        Some("rec-zhuzhou"),
        None,
        0,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-205",
        application_facts(
            "hunan-2026",
            unit("hn-xtcn"),
            "固态电池",
            Some("joint_research"),
            "KR",
            "易晓红",
            s,
        ),
        None,
        None,
        0,
    );
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-206",
        application_facts(
            "hunan-2026",
            unit("hn-yyhg"),
            "生物基材料",
            Some("joint_research"),
            "NL",
            "谢文",
            s,
        ),
        None,
        None,
        0,
    );
    p.at(s + Duration::days(6), "recommender:rec-yueyang", json!({"type": "ReturnApplication", "application": "HN-2026-206", "reasons": ["缺少外方合作协议中文译本", "近三年财务审计报告不完整"]}));
    p.through_decision(
        s,
        "hunan-2026",
        "HN-2026-2",
        "HN-2026-207",
        application_facts(
            "hunan-2026",
            unit("hn-xjsw"),
            "医疗器械",
            Some("joint_research"),
            "CH",
            "王芳",
            s,
        ),
        None,
        None,
        0,
    );
    p.at(s + Duration::days(8), "unit:hn-xjsw", json!({"type": "WithdrawApplication", "application": "HN-2026-207", "reason": "外方合作伙伴调整，本批次暂不申报。"}));
    if let Some(start) = notice_start {
        p.at(start, hn, json!({"type": "StartPublicNotice", "notice_id": "HN-GS-2026-2", "applications": ["HN-2026-201"], "starts_on": start}));
        p.at(today, "public:objector", json!({"type": "LodgeObjection", "notice": "HN-GS-2026-2", "application": "HN-2026-201", "objector_real_name": "张建华", "contact": "13807315678", "content": "该公司申报材料所列德方合作项目的经费到位情况与公开信息不一致，请予核实。"}));
    }
    p
}

/// Fills the database with the demo as of the business date `today` (idempotent).
pub async fn seed(state: &AppState, today: NaiveDate) -> anyhow::Result<()> {
    seed_accounts(state).await?;
    if state.guohe.round("HB-2023").await.is_some() {
        return Ok(());
    }
    let notice_start = working_days_before(state, today, 2).await.last().copied();
    let mut steps = plan(today, notice_start).steps;
    // The command order within a day is the order written; days are in calendar order.
    steps.sort_by_key(|s| s.on);
    let mut skipped = 0usize;
    for s in steps {
        if s.on > today {
            skipped += 1;
            continue;
        }
        if state.guohe.clock().await.is_none_or(|c| c < s.on) {
            state
                .guohe
                .tick(s.on)
                .await
                .map_err(|e| anyhow::anyhow!("tick {}: {}", s.on, e.message_zh()))?;
        }
        let actor = Actor::parse(&s.actor).map_err(|e| anyhow::anyhow!(e))?;
        let what = s.cmd["type"].as_str().unwrap_or("?").to_string();
        let cmd: Command = serde_json::from_value(s.cmd).map_err(|e| anyhow::anyhow!("demo command {what}: {e}"))?;
        if let Err(e) = state.guohe.execute(&actor, s.on, cmd).await {
            tracing::warn!(on = %s.on, command = %what, error = %e.message_zh(), "demo step refused");
            eprintln!("演示数据：{} {what} 未执行：{}", s.on, e.message_zh());
        }
    }
    state
        .guohe
        .tick(today)
        .await
        .map_err(|e| anyhow::anyhow!("tick {today}: {}", e.message_zh()))?;
    if skipped > 0 {
        eprintln!("演示数据：{skipped} 个步骤晚于业务日期 {today}，未执行。");
    }
    Ok(())
}
