//! `guohe draw inspections`, `guohe draw result`, `guohe draw show` — 双随机、一公开 site
//! inspections on the event log; `guohe draw panel|decline` (评审专家随机抽取) are in
//! [`crate::draw_panel_cmd`].

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use guohe_app::expert_pool;
use guohe_domain::{
    Actor, Command, DrawInspections, EventKind, InspectionPurpose, InspectionsDrawn, PoolExpert,
    RecordInspectionResult, Strata, UnitConflict,
};
use guohe_store::AccountStore;

use crate::draw_panel_cmd::{self, DeclineArgs, PanelArgs};
use crate::lifecycle_cmd::{app_failure, open, runtime, today};
use crate::output::{Format, print_json};
use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Subcommand, Debug)]
pub enum DrawCommand {
    /// Draw bases for site inspection and their inspectors from a published seed; `--dry-run`
    /// prints the selection and writes nothing.
    Inspections(InspectionsArgs),
    /// Record the result of inspecting a drawn base.
    Result(ResultArgs),
    /// Draw an application's review panel (评审专家) and its reserves from a published seed;
    /// `--dry-run` prints the panel and writes nothing.
    Panel(PanelArgs),
    /// Record that a panel member declines; the next reserve is called in.
    Decline(DeclineArgs),
    /// Print a draw with its seed, parameters, candidates, selection, exclusions and results;
    /// given an application id, its drawn review panel.
    Show(ShowArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PurposeArg {
    /// 年度考核.
    Annual,
    /// 评估.
    Evaluation,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StrataArg {
    /// One list.
    None,
    /// By prefecture, from the support unit's USCC.
    Prefecture,
    /// By category.
    Category,
}

#[derive(Args, Debug)]
pub struct InspectionsArgs {
    /// The draw's id (考察批次), e.g. `HB-2026-ANNUAL`.
    #[arg(long = "round")]
    pub round: String,
    /// The policy whose bases are drawn.
    #[arg(long)]
    pub policy: String,
    /// Annual assessment or evaluation.
    #[arg(long, value_enum, default_value = "annual")]
    pub purpose: PurposeArg,
    /// The assessment or evaluation year (default: this year).
    #[arg(long)]
    pub year: Option<i32>,
    /// Share of the candidates, in (0, 1], rounded up.
    #[arg(long, conflicts_with = "count")]
    pub share: Option<String>,
    /// Number of bases to draw.
    #[arg(long)]
    pub count: Option<u32>,
    /// Strata.
    #[arg(long, value_enum, default_value = "none")]
    pub strata: StrataArg,
    /// Inspectors per base (default: the policy's).
    #[arg(long)]
    pub inspectors_per_base: Option<u32>,
    /// The seed, published with the result.
    #[arg(long)]
    pub seed: String,
    /// The expert pool as JSON `[{"id": …, "unit_uscc": …}]` (default: the active expert
    /// accounts of the policy's province).
    #[arg(long)]
    pub pool: Option<PathBuf>,
    /// Conflicts declared before the draw, JSON `[{"expert": …, "uscc": …, "reason": …}]`.
    #[arg(long)]
    pub conflicts: Option<PathBuf>,
    /// Who draws: `dept:NAME`.
    #[arg(long = "as", default_value = "dept:cli")]
    pub actor: String,
    /// The business date (default: today).
    #[arg(long)]
    pub on: Option<String>,
    /// Print the selection and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct ResultArgs {
    /// The draw's id.
    #[arg(long)]
    pub draw: String,
    /// The base inspected.
    #[arg(long)]
    pub base: String,
    /// What the inspectors found.
    #[arg(long)]
    pub findings: String,
    /// Who records: `dept:NAME`.
    #[arg(long = "as", default_value = "dept:cli")]
    pub actor: String,
    /// The business date (default: today).
    #[arg(long)]
    pub on: Option<String>,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The draw's id, or an application's id for its drawn review panel.
    pub draw: String,
    /// Output format (`json` prints the published record, the input of docs/draws.md's script).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(cli: &Cli, command: &DrawCommand) -> CmdResult {
    match command {
        DrawCommand::Inspections(a) => run_inspections(cli, a),
        DrawCommand::Result(a) => run_result(cli, a),
        DrawCommand::Panel(a) => draw_panel_cmd::run_panel(cli, a),
        DrawCommand::Decline(a) => draw_panel_cmd::run_decline(cli, a),
        DrawCommand::Show(a) => run_show(cli, a),
    }
}

pub(crate) fn read_json<T: serde::de::DeserializeOwned>(flag: &str, path: &PathBuf) -> Result<T, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(format!("{flag}: 无法读取 cannot read {}: {e}", path.display())))?;
    let de = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        bad(format!("{flag} {path}: 格式错误 invalid: {}", e.into_inner()))
    })
}

fn run_inspections(cli: &Cli, a: &InspectionsArgs) -> CmdResult {
    let actor = Actor::parse(&a.actor).map_err(|e| bad(format!("--as: {e}")))?;
    let on = match &a.on {
        Some(d) => parse_date("--on", d)?,
        None => today(),
    };
    let share = match &a.share {
        Some(s) => Some(
            s.trim()
                .parse()
                .map_err(|_| bad(format!("--share: “{s}”不是小数 is not a decimal (e.g. 0.2)")))?,
        ),
        None => None,
    };
    let conflicts: Vec<UnitConflict> = match &a.conflicts {
        Some(p) => read_json("--conflicts", p)?,
        None => Vec::new(),
    };
    let given_pool: Option<Vec<PoolExpert>> = match &a.pool {
        Some(p) => Some(read_json("--pool", p)?),
        None => None,
    };
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let province = g
            .policies()
            .get(&a.policy)
            .map(|p| p.province.code.clone())
            .ok_or_else(|| {
                bad(format!(
                    "--policy: 未载入办法“{}” policy not loaded; loaded: {}",
                    a.policy,
                    g.policies().ids().join(", ")
                ))
            })?;
        // The accounts a pool given by hand names (the check says why each does not belong), or
        // the province's experts to draw from.
        let store = AccountStore::open(g.log()).await?;
        let accounts = match &given_pool {
            Some(p) => store.accounts_named(p.iter().map(|e| e.id.trim())).await?,
            None => store.experts_of_province(&province).await?,
        };
        let pool = match given_pool {
            Some(p) => {
                // A pool given by hand names active expert accounts of the province, each
                // with the unit on the account, or avoidance could be dodged.
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
            None => expert_pool::inspection_pool(&accounts, &province),
        };
        let cmd = Command::DrawInspections(DrawInspections {
            id: a.round.clone(),
            policy: a.policy.clone(),
            purpose: match a.purpose {
                PurposeArg::Annual => InspectionPurpose::AnnualAssessment,
                PurposeArg::Evaluation => InspectionPurpose::Evaluation,
            },
            year: a.year.unwrap_or_else(|| chrono::Datelike::year(&on)),
            share,
            count: a.count,
            strata: match a.strata {
                StrataArg::None => Strata::None,
                StrataArg::Prefecture => Strata::Prefecture,
                StrataArg::Category => Strata::Category,
            },
            inspectors_per_base: a.inspectors_per_base,
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
            EventKind::InspectionsDrawn(x) => Some(x),
            _ => None,
        }) else {
            return Err(Failure::Other(anyhow::anyhow!("the draw produced no record")));
        };
        if a.format == Format::Json {
            return print_json(x);
        }
        print_draw(x, &events[0].article_texts());
        if a.dry_run {
            println!("（试抽 dry run：未写入 nothing written）");
        }
        Ok(())
    })
}

fn print_draw(x: &InspectionsDrawn, articles: &[String]) {
    println!(
        "现场考察抽取 inspection draw {} — {} {} 年{}（{}）[{}]",
        x.draw,
        x.policy,
        x.year,
        x.purpose.zh(),
        x.strata.zh(),
        articles.join(", ")
    );
    let share = x.share.map(|s| format!("比例 share {s}，")).unwrap_or_default();
    println!(
        "种子 seed “{}”  算法 {}  {share}抽取 {} / {} 个基地，每个基地 {} 名专家",
        x.seed,
        x.algorithm,
        x.count,
        x.candidates.len(),
        x.inspectors_per_base
    );
    if x.quotas.len() > 1 {
        for q in &x.quotas {
            println!("  分层 stratum {:<10} {} / {}", q.stratum, q.drawn, q.candidates);
        }
    }
    for (i, b) in x.selected.iter().enumerate() {
        let name = x
            .candidates
            .iter()
            .find(|c| c.base == b.base)
            .map(|c| c.name.as_str())
            .unwrap_or("");
        println!(
            "{:>3}. {:<16} {}  考察专家 inspectors: {}",
            i + 1,
            b.base,
            name,
            b.inspectors.join("、")
        );
    }
    for e in &x.exclusions {
        let detail = if e.detail.is_empty() {
            String::new()
        } else {
            format!("（{}）", e.detail)
        };
        println!(
            "  回避 excluded {} from {}: {} [{}]{detail}",
            e.expert,
            e.base,
            e.reason.zh(),
            e.reason.code()
        );
    }
}

fn run_result(cli: &Cli, a: &ResultArgs) -> CmdResult {
    let actor = Actor::parse(&a.actor).map_err(|e| bad(format!("--as: {e}")))?;
    let on = match &a.on {
        Some(d) => parse_date("--on", d)?,
        None => today(),
    };
    let cmd = Command::RecordInspectionResult(RecordInspectionResult {
        draw: a.draw.clone(),
        base: a.base.clone(),
        findings: a.findings.clone(),
    });
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let o = g.execute(&actor, on, cmd).await.map_err(app_failure)?;
        for e in &o.events {
            println!(
                "{} {} {} [{}]",
                e.on,
                e.kind_name(),
                e.stream,
                e.article_texts().join(", ")
            );
        }
        Ok(())
    })
}

fn run_show(cli: &Cli, a: &ShowArgs) -> CmdResult {
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let (found, panel) = g
            .read(|w, _, _| (w.draw(&a.draw).cloned(), w.panel(&a.draw).cloned()))
            .await;
        if let (None, Some(p)) = (&found, panel) {
            if a.format == Format::Json {
                return print_json(&p.event);
            }
            let history = g
                .history(&format!("application/{}", a.draw))
                .await
                .map_err(app_failure)?;
            let drawn = history.iter().find(|e| e.kind == "ExpertPanelDrawn");
            if let Some(e) = drawn {
                println!("抽取日期 drawn on {}", e.occurred_on);
            }
            // Everyone a panel names comes from its pool.
            let accounts = AccountStore::open(g.log())
                .await?
                .accounts_named(p.event.pool.iter().map(|e| e.id.as_str()))
                .await?;
            let articles = drawn.map(|e| e.articles.clone()).unwrap_or_default();
            draw_panel_cmd::print_panel(&p.event, Some(&p), &draw_panel_cmd::names(&accounts), &articles);
            return Ok(());
        }
        let found = found.ok_or_else(|| {
            bad(format!(
                "DRAW: 没有抽取批次或随机抽取的评审专家“{0}” no such draw or drawn panel `{0}`",
                a.draw
            ))
        })?;
        if a.format == Format::Json {
            return print_json(&found.event);
        }
        println!("抽取日期 drawn on {}", found.drawn_on);
        print_draw(&found.event, &[]);
        for (base, (on, r)) in &found.results {
            println!("结果 result {on} {base}（{}）：{}", r.inspectors.join("、"), r.findings);
        }
        Ok(())
    })
}
