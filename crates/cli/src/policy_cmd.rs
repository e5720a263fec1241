//! `guohe policy …`, `guohe eligibility`, `guohe naming`.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use guohe_policy::eval::{Prepared, Status};
use guohe_policy::{Application, CheckError, Policy, PolicySet, PolicySource, RegistryFacts, load, naming};

use crate::output::{Format, print_json};
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// List the policies.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Show a policy: metadata, interpretations, and each article with the rules citing it.
    Show {
        /// Policy id, e.g. hubei-2022.
        id: String,
        /// Only this article (e.g. 10 or 10.4).
        #[arg(long)]
        article: Option<String>,
        /// Output format (json prints the whole policy).
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Validate a policy file.
    Check {
        /// The YAML file.
        file: PathBuf,
    },
    /// Load a policy file into the database (audited, with its SM3 hash on the chain); every
    /// server and command then uses it without `--policy-file`.
    Load {
        /// The YAML file.
        file: PathBuf,
        /// Allow replacing a built-in policy of the same id, or changing one that cases use.
        #[arg(long)]
        replace: bool,
        /// Who loads it (recorded in the audit log).
        #[arg(long = "as", default_value = "admin:cli")]
        actor: String,
    },
    /// Withdraw a stored policy; refused while any case uses it, and for built-in policies.
    Unload {
        /// Policy id.
        id: String,
        /// Who unloads it (recorded in the audit log).
        #[arg(long = "as", default_value = "admin:cli")]
        actor: String,
    },
    /// Compare two policies by topic (eligibility, procedure, grades, schedules, consequences,
    /// bans, validity), each line with its articles; identical lines are folded.
    Diff {
        /// The first policy: an id, or a policy file.
        a: String,
        /// The second policy: an id, or a policy file (e.g. a new version of the first).
        b: String,
        /// Show the identical lines too.
        #[arg(long)]
        all: bool,
        /// Output format (text or json).
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// For every article: the rules, parameters and consequences citing it, the tests that
    /// mention it, or why it is not encoded.
    Coverage {
        /// Policy id (or a policy file).
        id: String,
        /// The directory of test sources to scan (default: `crates` in the current directory).
        #[arg(long, value_name = "DIR")]
        tests: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Args, Debug)]
pub struct EligibilityArgs {
    /// Policy id.
    #[arg(long)]
    pub policy: String,
    /// The application's facts (JSON; see docs/application-facts.md).
    pub file: PathBuf,
    /// Facts from the register (JSON), replacing `registry` inside the file.
    #[arg(long)]
    pub registry: Option<PathBuf>,
    /// The date of the check (default: today).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct NamingArgs {
    /// Policy id.
    #[arg(long)]
    pub policy: String,
    /// Technology domain, e.g. 生物医药.
    #[arg(long)]
    pub domain: String,
    /// Category code (joint_research, technology_transfer, distinctive) where the policy has them.
    #[arg(long)]
    pub category: Option<String>,
    /// The support unit's name, for templates that use it.
    #[arg(long, default_value = "")]
    pub unit: String,
}

/// The built-in policies plus any `--policy-file` (stored policies are folded in by
/// [`guohe_app::Guohe::open`], or by [`policies_with_stored`] for commands that do not open it).
pub fn policies(cli: &Cli) -> Result<PolicySet, Failure> {
    let mut set = PolicySet::default();
    for f in &cli.policy_files {
        let p = load::from_path(f).map_err(|e| bad(format!("策略文件无效 invalid policy file: {e}")))?;
        set.add_from(
            p,
            PolicySource::CommandLine {
                file: f.display().to_string(),
            },
        );
    }
    Ok(set)
}

/// [`policies`] with the policies stored in the database folded in, when the database exists
/// (a missing SQLite file is not created just to find it holds none).
pub fn policies_with_stored(cli: &Cli) -> Result<PolicySet, Failure> {
    let set = policies(cli)?;
    if !crate::lifecycle_cmd::database_exists(&cli.database) {
        return Ok(set);
    }
    crate::lifecycle_cmd::runtime()?.block_on(async {
        let log = crate::calendar_cmd::open_log(&cli.database).await?;
        guohe_app::stored_policy::with_stored_policies(&log, set)
            .await
            .map_err(|e| Failure::Other(e.into()))
    })
}

/// Where a policy comes from, for `policy list`.
fn source_label(source: Option<&PolicySource>) -> String {
    match source {
        Some(PolicySource::Builtin) | None => "内置 built-in".into(),
        Some(PolicySource::Stored { sm3, loaded_on, .. }) => {
            format!("入库 stored {loaded_on} sm3:{}", sm3.get(..16).unwrap_or(sm3))
        }
        Some(PolicySource::CommandLine { file }) => format!("命令行 command line {file}"),
    }
}

/// A policy by id, or a bad-input failure listing the known ids.
pub fn policy<'a>(set: &'a PolicySet, id: &str) -> Result<&'a Policy, Failure> {
    set.get(id).ok_or_else(|| {
        bad(format!(
            "--policy: 未知的办法“{id}” unknown policy `{id}`; 可选 known: {}",
            set.ids().join(", ")
        ))
    })
}

/// Parses a YYYY-MM-DD date argument.
pub fn parse_date(flag: &str, s: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        bad(format!(
            "{flag}: 日期格式应为 YYYY-MM-DD，收到“{s}” expected a date like 2026-03-16, got `{s}`"
        ))
    })
}

fn read(path: &PathBuf, what: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| bad(format!("{what}: 无法读取文件 cannot read {}: {e}", path.display())))
}

pub fn run_policy(cli: &Cli, cmd: &PolicyCommand) -> CmdResult {
    match cmd {
        PolicyCommand::Load { file, replace, actor } => crate::policy_store_cmd::load(cli, file, *replace, actor),
        PolicyCommand::Unload { id, actor } => crate::policy_store_cmd::unload(cli, id, actor),
        PolicyCommand::Check { .. } => check(cmd),
        _ => show(&policies_with_stored(cli)?, cmd),
    }
}

fn show(set: &PolicySet, cmd: &PolicyCommand) -> CmdResult {
    match cmd {
        PolicyCommand::List { format } => {
            if *format == Format::Json {
                let rows: Vec<_> = set
                    .all()
                    .iter()
                    .map(|p| {
                        serde_json::json!({
                            "id": p.id, "title": p.title, "document_number": p.document_number,
                            "in_force_from": p.in_force_from, "valid_until": guohe_policy::valid_until(p),
                            "articles": p.articles.len(), "rules": p.eligibility.len(),
                            "source": set.source(&p.id),
                        })
                    })
                    .collect();
                return print_json(&rows);
            }
            println!(
                "{:<12} {:<20} {:<12} {:<12} {:>4} {:>4}  标题 · 来源 source",
                "id", "文号", "施行", "有效至", "条", "规则"
            );
            for p in set.all() {
                println!(
                    "{:<12} {:<20} {:<12} {:<12} {:>4} {:>4}  {} · {}",
                    p.id,
                    p.document_number,
                    p.in_force_from,
                    guohe_policy::valid_until(p),
                    p.articles.len(),
                    p.eligibility.len(),
                    p.title,
                    source_label(set.source(&p.id))
                );
            }
            Ok(())
        }
        PolicyCommand::Show { id, article, format } => {
            let p = policy(set, id)?;
            if *format == Format::Json {
                return print_json(p);
            }
            let only = match article {
                Some(a) => Some(guohe_policy::ArticleRef::parse(a).map_err(|e| bad(format!("--article: {e}")))?),
                None => None,
            };
            if let Some(at) = only
                && p.text(at).is_none()
            {
                return Err(bad(format!("--article: {} 没有 {at} has no article {at}", p.id)));
            }
            show_policy(p, only);
            Ok(())
        }
        PolicyCommand::Diff { a, b, all, format } => crate::policy_tools_cmd::run_diff(set, a, b, *all, *format),
        PolicyCommand::Coverage { id, tests, format } => {
            crate::policy_tools_cmd::run_coverage(set, id, tests.as_ref(), *format)
        }
        _ => check(cmd),
    }
}

fn check(cmd: &PolicyCommand) -> CmdResult {
    match cmd {
        PolicyCommand::Check { file } => {
            let p = load::from_path(file).map_err(|e| bad(format!("✗ {e}")))?;
            println!(
                "✓ {}: {}（{}） — {} 条, {} 条认定规则, {} 条后果规则, {} 条解释",
                file.display(),
                p.title,
                p.document_number,
                p.articles.len(),
                p.eligibility.len(),
                p.consequences.len(),
                p.interpretations.len()
            );
            Ok(())
        }
        _ => Ok(()),
    }
}

fn show_policy(p: &Policy, only: Option<guohe_policy::ArticleRef>) {
    if only.is_none() {
        println!("{}（{}）", p.title, p.document_number);
        println!(
            "id {} · 发文 {} · 施行 {} · 有效期 {} 年（至 {}，{}）",
            p.id,
            p.issuer,
            p.in_force_from,
            p.validity.years,
            guohe_policy::valid_until(p),
            p.cite_zh(p.validity.article)
        );
        for s in &p.supersedes {
            println!("废止：{}（{}），{}", s.title, s.document_number, p.cite_zh(s.article));
        }
        println!();
        if !p.interpretations.is_empty() {
            println!("== 解释 interpretations ==");
            for i in &p.interpretations {
                println!("[{}] {} “{}”", i.id, p.cite_zh(i.article), i.words);
                println!("    {}", i.reading_zh);
            }
            println!();
        }
    }
    let mut chapter = None;
    for a in &p.articles {
        if only.is_some_and(|o| o.article != a.number) {
            continue;
        }
        if a.chapter.is_some() {
            chapter = a.chapter.clone();
        }
        if let Some(c) = chapter.take()
            && only.is_none()
        {
            println!("== {c} ==");
        }
        println!("{}", p.cite_zh(guohe_policy::ArticleRef::article(a.number)));
        if a.paragraphs.is_empty() {
            for line in a.text.lines() {
                println!("  {line}");
            }
        } else {
            // Each paragraph (款) under its own heading, so `12(2)` can be read next to its rules.
            for (k, para) in a.paragraphs.iter().enumerate() {
                if only.is_some_and(|o| o.paragraph.is_some_and(|n| n as usize != k + 1)) {
                    continue;
                }
                println!("  第{}款", guohe_policy::citation::chinese_number(k as u32 + 1));
                for line in para.lines() {
                    println!("    {line}");
                }
            }
        }
        for r in p.eligibility.iter().filter(|r| r.article.article == a.number) {
            if only.is_some_and(|o| {
                (o.item.is_some() && o.item != r.article.item)
                    || (o.paragraph.is_some() && o.paragraph != r.article.paragraph)
            }) {
                continue;
            }
            let mode = match r.mode {
                guohe_policy::model::Mode::Computed => "计算",
                guohe_policy::model::Mode::Attested => "声明+附件",
                guohe_policy::model::Mode::Judged => "专家判断",
            };
            println!("  ▸ 规则 {} [{}] {}：{}", r.id, mode, p.cite(r.article), r.title_zh);
            if let Some(w) = &r.applies_when {
                println!("      适用条件：{}", inline_yaml(&guohe_policy::expr::to_yaml(w)));
            }
            if let Some(c) = &r.condition {
                println!("      条件：{}", inline_yaml(&guohe_policy::expr::to_yaml(c)));
            }
            if let Some(e) = &r.evidence {
                println!("      证明材料：{e}");
            }
        }
        for c in p.consequences.iter().filter(|c| c.article.article == a.number) {
            println!("  ▸ 后果 {} {}：{}", c.id, p.cite(c.article), c.title_zh);
        }
    }
}

fn inline_yaml(v: &serde_yaml_ng::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

pub fn run_eligibility(cli: &Cli, args: &EligibilityArgs) -> CmdResult {
    let set = policies_with_stored(cli)?;
    let p = policy(&set, &args.policy)?;
    let text = read(&args.file, "FILE")?;
    let app = Application::parse(&text)
        .map_err(|e| bad(format!("{}: {}\n{}: {}", e.path, e.message_zh, e.path, e.message_en)))?;
    let registry = match &args.registry {
        Some(f) => {
            let t = read(f, "--registry")?;
            let de = &mut serde_json::Deserializer::from_str(&t);
            Some(
                serde_path_to_error::deserialize::<_, RegistryFacts>(de)
                    .map_err(|e| bad(format!("--registry: {}: {}", e.path(), e.inner())))?,
            )
        }
        None => None,
    };
    let as_of = match &args.as_of {
        Some(d) => parse_date("--as-of", d)?,
        None => chrono::Local::now().date_naive(),
    };
    let fail = |e: CheckError| {
        let path = e.path().unwrap_or("").to_string();
        let zh = e.message_zh();
        bad(if zh.starts_with(&path) {
            format!("{zh}\n{e}")
        } else {
            format!("{path}: {zh}\n{path}: {e}")
        })
    };
    let prepared = Prepared::new(p, app, registry).map_err(|e| fail(CheckError::Facts(e)))?;
    let eval = guohe_policy::evaluate(p, &prepared, as_of).map_err(fail)?;
    let report = eval.report();
    if args.format == Format::Json {
        return print_json(&report);
    }
    if args.format == Format::Csv {
        let mut w = csv::Writer::from_writer(std::io::stdout());
        w.write_record([
            "rule",
            "article",
            "article_zh",
            "mode",
            "status",
            "reason_zh",
            "reason_en",
        ])?;
        for f in &report.findings {
            let mode = serde_json::to_value(f.mode)?.as_str().unwrap_or_default().to_string();
            let status = serde_json::to_value(f.status)?.as_str().unwrap_or_default().to_string();
            w.write_record([
                &f.rule,
                &f.article,
                &f.article_zh,
                &mode,
                &status,
                &f.reason_zh,
                &f.reason_en,
            ])?;
        }
        w.flush()?;
        return Ok(());
    }
    let s = report.summary;
    println!("{}（{}）", p.title, p.document_number);
    println!(
        "申报日期 {} · 检查日期 {} · 依托单位 {}",
        report.application_date, report.as_of, prepared.application.unit.name
    );
    println!(
        "结论 verdict: {} ({}) — 符合 {} · 不符合 {} · 需专家评审 {} · 不适用 {}",
        report.verdict_zh,
        serde_json::to_value(report.verdict)?.as_str().unwrap_or_default(),
        s.pass,
        s.fail,
        s.review,
        s.not_applicable
    );
    println!();
    for f in &report.findings {
        let mark = match f.status {
            Status::Pass => "✓ 符合    ",
            Status::Fail => "✗ 不符合  ",
            Status::Review => "? 需评审  ",
            Status::NotApplicable => "– 不适用  ",
        };
        println!("{mark}{} {}  [{}]", f.article_zh, f.article, f.rule);
        println!("           {}", f.reason_zh);
        if f.status != Status::NotApplicable {
            println!("           {}", f.reason_en);
        }
    }
    Ok(())
}

pub fn run_naming(cli: &Cli, args: &NamingArgs) -> CmdResult {
    let set = policies_with_stored(cli)?;
    let p = policy(&set, &args.policy)?;
    let name = naming::official_name(p, &args.domain, args.category.as_deref(), &args.unit).map_err(|e| {
        bad(format!(
            "--{}",
            match e {
                naming::NamingError::Domain(_) => format!("domain: {}\n--{e}", e.message_zh()),
                _ => format!("category: {}\n--{e}", e.message_zh()),
            }
        ))
    })?;
    println!("{name}");
    Ok(())
}
