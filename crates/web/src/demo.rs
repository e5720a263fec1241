//! 演示数据 — realistic demo data for both provinces, run through the real application service
//! (`Guohe::execute` / `tick`), so every event, citation and status is what the rules produce.
//!
//! The demo holds, for 湖北 (hubei-2022) and 湖南 (hunan-2026): rounds, applications in every
//! stage (each with a PDF attachment), bases in every state (active, under rectification, terminated, revoked, disqualified,
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

mod people;
mod plan;

use people::seed_accounts;
pub use people::{ADMINISTRATORS, date_line, enrol_demo_account, logins_text, print_logins};
use plan::{plan, working_days_before};

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
    attach_files(state, &mut steps, today).await?;
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

/// The attachment kind every demo application carries (营业执照/法人证书): no eligibility rule
/// asks for it as evidence, so attaching it changes no finding of the demo.
const DEMO_ATTACHMENT_KIND: &str = "business_licence";

/// The draft an application's demo attachment was uploaded to.
fn demo_draft(application: &str) -> String {
    format!("D-DEMO-{application}")
}

/// The id of the attachment (营业执照) the demo uploads for `application`, as the unit's own
/// upload would name it: the authorization tests download it as each principal.
pub fn attachment_id(application: &str) -> String {
    let sm3 = guohe_store::sm3_hex(&attachment_pdf(application));
    format!("{}-{DEMO_ATTACHMENT_KIND}-{}", demo_draft(application), &sm3[..16])
}

fn attachment_pdf(application: &str) -> Vec<u8> {
    crate::upload::sample_pdf(&format!("Business licence - {application}"))
}

/// Each application the demo submits by the business date carries a PDF, uploaded by its unit as
/// through the draft form, so a case's page has an attachment to open and its download is
/// checked against who may see the case.
async fn attach_files(state: &AppState, steps: &mut [plan::Step], today: NaiveDate) -> anyhow::Result<()> {
    let files = state.guohe.drafts();
    for s in steps.iter_mut().filter(|s| s.on <= today) {
        if s.cmd["type"] != "SubmitApplication" {
            continue;
        }
        let (Some(id), Some(uscc)) = (
            s.cmd["id"].as_str().map(str::to_string),
            s.cmd["facts"]["unit"]["uscc"].as_str().map(str::to_string),
        ) else {
            continue;
        };
        let uploaded = s.on.and_hms_opt(1, 0, 0).unwrap_or_default().and_utc();
        let file = files
            .put_file(
                &uscc,
                &demo_draft(&id),
                DEMO_ATTACHMENT_KIND,
                "营业执照.pdf",
                &attachment_pdf(&id),
                uploaded,
            )
            .await?;
        s.cmd["facts"]["attachments"] = json!([{"kind": file.kind, "file": file.id}]);
    }
    Ok(())
}
