//! `guohe draw panel`, `guohe draw decline` — 评审专家随机抽取 on the event log: an
//! application's review panel drawn from a published seed with reserves in order, avoidance
//! recorded; a member who declines is replaced by the next reserve.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::Args;
use guohe_app::expert_pool;
use guohe_domain::{
    Actor, Command, DeclinePanelSeat, DrawExpertPanel, EventKind, ExpertPanelDrawn, PanelExpert, PanelRecord,
    UnitConflict,
};
use guohe_store::{Account, AccountStore};

use crate::draw_cmd::read_json;
use crate::lifecycle_cmd::{app_failure, open, runtime, today};
use crate::output::{Format, print_json};
use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Args, Debug)]
pub struct PanelArgs {
    /// The application whose review panel is drawn.
    #[arg(long)]
    pub application: String,
    /// The seed, published with the result.
    #[arg(long)]
    pub seed: String,
    /// Panel size (default: the policy's min_experts).
    #[arg(long)]
    pub size: Option<u32>,
    /// The pool as JSON `[{"id", "unit_uscc", "domains": […]}]` (default: the active expert
    /// accounts of the application's province with their units and domains); every expert must
    /// be such an account, with the unit on it.
    #[arg(long)]
    pub pool: Option<PathBuf>,
    /// Conflicts declared with the draw, JSON `[{"expert", "uscc", "reason"}]`.
    #[arg(long)]
    pub conflicts: Option<PathBuf>,
    /// Who draws: `dept:NAME`.
    #[arg(long = "as", default_value = "dept:cli")]
    pub actor: String,
    /// The business date (default: today).
    #[arg(long)]
    pub on: Option<String>,
    /// Print the panel and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format (`json` prints the published record).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct DeclineArgs {
    /// The application.
    #[arg(long)]
    pub application: String,
    /// The member who declines.
    #[arg(long)]
    pub expert: String,
    /// Why.
    #[arg(long)]
    pub reason: String,
    /// Who records it: the expert (`expert:LOGIN`) or the department (`dept:NAME`).
    #[arg(long = "as", default_value = "dept:cli")]
    pub actor: String,
    /// The business date (default: today).
    #[arg(long)]
    pub on: Option<String>,
}

/// Experts by login as `姓名（工作单位）`, for reading a panel; a login without an account
/// stays as it is.
pub(crate) fn names(accounts: &[Account]) -> HashMap<String, String> {
    accounts
        .iter()
        .map(|a| {
            let unit = if a.profile.unit_name.is_empty() {
                String::new()
            } else {
                format!("（{}）", a.profile.unit_name)
            };
            (a.login.clone(), format!("{}{unit}", a.display_name))
        })
        .collect()
}

fn named(names: &HashMap<String, String>, login: &str) -> String {
    match names.get(login) {
        Some(n) => format!("{n} [{login}]"),
        None => login.to_string(),
    }
}

pub fn run_panel(cli: &Cli, a: &PanelArgs) -> CmdResult {
    let actor = Actor::parse(&a.actor).map_err(|e| bad(format!("--as: {e}")))?;
    let on = match &a.on {
        Some(d) => parse_date("--on", d)?,
        None => today(),
    };
    let conflicts: Vec<UnitConflict> = match &a.conflicts {
        Some(p) => read_json("--conflicts", p)?,
        None => Vec::new(),
    };
    let given: Option<Vec<PanelExpert>> = match &a.pool {
        Some(p) => Some(read_json("--pool", p)?),
        None => None,
    };
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let province = g
            .read(|w, _, ps| {
                w.application(&a.application)
                    .and_then(|x| ps.get(&x.policy))
                    .map(|p| p.province.code.clone())
            })
            .await
            .ok_or_else(|| {
                bad(format!(
                    "--application: 没有申报“{0}” no such application `{0}`",
                    a.application
                ))
            })?;
        let store = AccountStore::open(g.log()).await?;
        let accounts = match &given {
            Some(p) => store.accounts_named(p.iter().map(|e| e.id.trim())).await?,
            None => store.experts_of_province(&province).await?,
        };
        let pool = match given {
            Some(p) => {
                let problems = expert_pool::check_pool(
                    &accounts,
                    &province,
                    p.iter().map(|e| (e.id.as_str(), e.unit_uscc.as_str())),
                );
                if !problems.is_empty() {
                    let (zh, en) = expert_pool::describe(&problems);
                    return Err(bad(format!("--pool: {zh}\n--pool: {en}")));
                }
                p
            }
            None => expert_pool::panel_pool(&accounts, &province),
        };
        let cmd = Command::DrawExpertPanel(DrawExpertPanel {
            application: a.application.clone(),
            size: a.size,
            seed: a.seed.clone(),
            pool,
            conflicts,
        });
        let events = if a.dry_run {
            g.decide(&actor, on, cmd).await.map_err(app_failure)?.events().to_vec()
        } else {
            g.execute(&actor, on, cmd).await.map_err(app_failure)?.events
        };
        let Some(x) = events.iter().find_map(|e| match &e.kind {
            EventKind::ExpertPanelDrawn(x) => Some(x),
            _ => None,
        }) else {
            return Err(Failure::Other(anyhow::anyhow!("the draw produced no record")));
        };
        if a.format == Format::Json {
            return print_json(x);
        }
        println!("抽取日期 drawn on {on}");
        print_panel(x, None, &names(&accounts), &events[0].article_texts());
        if a.dry_run {
            println!("（试抽 dry run：未写入 nothing written）");
        }
        Ok(())
    })
}

/// Prints a panel: seed, panel and reserves in order, exclusions with their grounds, declines.
pub(crate) fn print_panel(
    x: &ExpertPanelDrawn,
    record: Option<&PanelRecord>,
    names: &HashMap<String, String>,
    articles: &[String],
) {
    println!(
        "评审专家随机抽取 review panel of {} — 领域 domain “{}” [{}]",
        x.application,
        x.domain,
        articles.join(", ")
    );
    println!(
        "种子 seed “{}”  算法 {}  专家库 pool {}，符合条件 eligible {}",
        x.seed,
        x.algorithm,
        x.pool.len(),
        x.eligible.len()
    );
    for (i, e) in x.panel.iter().enumerate() {
        println!("{:>3}. 评审专家 member   {}", i + 1, named(names, e));
    }
    for (i, e) in x.reserves.iter().enumerate() {
        println!("  候补 reserve {} {}", i + 1, named(names, e));
    }
    for e in &x.exclusions {
        let detail = if e.detail.is_empty() {
            String::new()
        } else {
            format!("（{}）", e.detail)
        };
        println!(
            "  回避 excluded {}: {} [{}]{detail}",
            named(names, &e.expert),
            ground_zh(&e.reason),
            e.reason
        );
    }
    if let Some(r) = record {
        for (e, reason, by) in &r.declines {
            let by = by
                .as_deref()
                .map(|b| format!("，递补 replaced by {}", named(names, b)))
                .unwrap_or_else(|| "，候补已用尽 no reserve left".to_string());
            println!("  谢绝 declined {}：{reason}{by}", named(names, e));
        }
    }
}

/// The Chinese name of an exclusion ground.
pub fn ground_zh(code: &str) -> &'static str {
    match code {
        "already_assigned" => "已指派评审",
        "own_unit" => "本单位",
        "declared_conflict" => "申明回避",
        "domain" => "领域不符",
        "recent_review" => "近期评审过同一单位",
        _ => "回避",
    }
}

pub fn run_decline(cli: &Cli, a: &DeclineArgs) -> CmdResult {
    let actor = Actor::parse(&a.actor).map_err(|e| bad(format!("--as: {e}")))?;
    let on = match &a.on {
        Some(d) => parse_date("--on", d)?,
        None => today(),
    };
    let cmd = Command::DeclinePanelSeat(DeclinePanelSeat {
        application: a.application.clone(),
        expert: a.expert.clone(),
        reason: a.reason.clone(),
    });
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let o = g.execute(&actor, on, cmd).await.map_err(app_failure)?;
        for e in &o.events {
            let what = match &e.kind {
                EventKind::PanelSeatDeclined(x) => match &x.replaced_by {
                    Some(r) => format!("{} 谢绝 declined；候补 reserve {r} 递补 called in", x.expert),
                    None => format!("{} 谢绝 declined；候补已用尽 no reserve left", x.expert),
                },
                EventKind::ExpertAssigned(x) => format!("{} 指派 assigned（{}）", x.expert, x.reason),
                _ => String::new(),
            };
            println!(
                "{} {} {} [{}] {what}",
                e.on,
                e.kind_name(),
                e.stream,
                e.article_texts().join(", ")
            );
        }
        Ok(())
    })
}
