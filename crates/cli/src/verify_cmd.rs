//! `guohe verify --uscc X [--on DATE]` — 核验: whether a unit held a validly named base on a date,
//! the same answer as `GET /api/v1/verify`, signed with the key file's `verification-signing`
//! key when it has one, and audited on the chain.

use clap::Args;
use guohe_app::verification::{DEFAULT_STATEMENT_TTL, NoStatement, Statement, Verification};
use guohe_keys::signing::VERIFICATION_SIGNING;
use serde::Serialize;

use crate::lifecycle_cmd::{app_failure, open, runtime, today};
use crate::output::{Format, print_json};
use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, bad};

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The unit's unified social credit code.
    #[arg(long)]
    pub uscc: String,
    /// The date asked about (default: today; a later date is refused).
    #[arg(long)]
    pub on: Option<String>,
    /// Output format (text or json).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Who asks, for the audit record.
    #[arg(long = "as", default_value = "admin:cli")]
    pub actor: String,
}

#[derive(Serialize)]
struct Answer<'a> {
    answer: &'a Verification,
    statement: Option<&'a Statement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    statement_unavailable: Option<NoStatement>,
}

pub fn run(cli: &Cli, a: &VerifyArgs) -> CmdResult {
    if a.format == Format::Csv {
        return Err(bad("--format: 只支持 text 或 json only text or json"));
    }
    let on = a.on.as_deref().map(|d| parse_date("--on", d)).transpose()?;
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let day = today();
        let v = g.verify_unit(&a.uscc, on, day).await.map_err(app_failure)?;
        let signer = g
            .vault()
            .signer(VERIFICATION_SIGNING)
            .map_err(|e| app_failure(e.into()))?;
        let statement = signer
            .as_ref()
            .map(|s| Statement::sign(&v, s, chrono::Utc::now(), DEFAULT_STATEMENT_TTL));
        g.record_verification(day, &a.actor, "cli", &v, statement.as_ref())
            .await
            .map_err(app_failure)?;
        let answer = Answer {
            answer: &v,
            statement: statement.as_ref(),
            statement_unavailable: statement.is_none().then(NoStatement::no_key),
        };
        if a.format == Format::Json {
            return print_json(&answer);
        }
        print_text(&answer);
        Ok(())
    })
}

fn print_text(a: &Answer<'_>) {
    let v = a.answer;
    println!("{}（{}）", v.result_zh, v.result.code());
    println!("{}", v.result_en);
    println!(
        "单位 unit: {} {} · 核验日期 date: {}",
        v.unit_name.as_deref().unwrap_or("—"),
        v.uscc,
        v.on
    );
    for b in &v.bases {
        let valid = if b.valid { "有效 valid" } else { "无效 not valid" };
        println!(
            "  {} {} [{} {}] 命名 named {} · {} {}{} · {valid}",
            b.id,
            b.official_name,
            b.province,
            b.policy,
            b.named_on,
            b.status_zh,
            b.status_en,
            b.rectification_until
                .map(|u| format!("（整改期至 until {u}）"))
                .unwrap_or_default()
        );
        if let Some(g) = &b.annual_assessment {
            println!("    年度考核 annual assessment {}: {} {}", g.year, g.grade_zh, g.grade);
        }
        if let Some(e) = &b.evaluation {
            println!("    评估 evaluation {} ({}): {} {}", e.year, e.on, e.grade_zh, e.grade);
        }
    }
    for p in &v.priority {
        println!(
            "依据 article {}（{}{}）: {}",
            p.citation, p.regulation, p.article_zh, p.scope
        );
    }
    match (&a.statement, &a.statement_unavailable) {
        (Some(s), _) => {
            println!("--- 核验声明 statement (SM2, id {}) ---", s.distinguishing_id);
            print!("{}", s.canonical);
            println!("signature={}", s.signature);
            println!("public_key={}", s.public_key);
        }
        (None, Some(n)) => {
            println!("{}", n.reason_zh);
            println!("{}", n.reason_en);
        }
        (None, None) => {}
    }
}
