//! `guohe serve` — the web application on the embedded database (or PostgreSQL).

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;

use crate::policy_cmd::{parse_date, policies};
use crate::{Cli, CmdResult, bad};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Fill the database with demo data for both provinces and print the demo logins; without
    /// --today the business date is the demo's own, 2026-11-20.
    #[arg(long)]
    pub demo: bool,
    /// A fixed business date (for demonstrations and training); default: today (with --demo,
    /// the demo's own date).
    #[arg(long)]
    pub today: Option<String>,
    /// Mark cookies Secure (when served behind TLS).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Take the client address from X-Forwarded-For (only behind a trusted proxy).
    #[arg(long)]
    pub trust_forwarded_for: bool,
    /// Failed sign-ins of one login (per address, and in all) before each further attempt must wait.
    #[arg(long, value_name = "N")]
    pub throttle_after: Option<u32>,
    /// Failed sign-ins from one address (any login) before its attempts must wait.
    #[arg(long, value_name = "N")]
    pub throttle_client_after: Option<u32>,
    /// The first wait in seconds; each further failure doubles it.
    #[arg(long, value_name = "SECONDS")]
    pub throttle_base: Option<u64>,
    /// The longest wait in seconds for one login from one address, and for one address.
    #[arg(long, value_name = "SECONDS")]
    pub throttle_cap: Option<u64>,
    /// The longest wait in seconds that other addresses' failures can impose on a login.
    #[arg(long, value_name = "SECONDS")]
    pub throttle_account_cap: Option<u64>,
    /// Real-name objections accepted per client address per notice per day.
    #[arg(long, value_name = "N")]
    pub objections_per_day: Option<u32>,
    /// Verification requests (`/api/v1/verify`, `/verify`) per client address per minute (default 30).
    #[arg(long, value_name = "N")]
    pub verify_per_minute: Option<u32>,
    /// How long a signed verification statement is good for, in seconds (default 900).
    #[arg(long, value_name = "SECONDS")]
    pub verify_statement_ttl: Option<u64>,
}

pub fn run(cli: &Cli, args: &ServeArgs) -> CmdResult {
    let bind: SocketAddr = args.bind.parse().map_err(|_| {
        bad(format!(
            "--bind: 地址格式应为 127.0.0.1:8080 expected host:port, got `{}`",
            args.bind
        ))
    })?;
    let today = match &args.today {
        Some(d) => Some(parse_date("--today", d)?),
        None => None,
    };
    let smtp = guohe_notify::SmtpConfig::from_env().map_err(|e| {
        bad(format!(
            "{}: {}\n{}: {}",
            e.variable, e.message_zh, e.variable, e.message_en
        ))
    })?;
    let _ = tracing_subscriber::fmt().with_target(false).try_init();
    let mut cfg = guohe_web::ServeConfig {
        bind,
        database_url: cli.database.clone(),
        key_file: cli.key_file.clone(),
        demo: args.demo,
        policies: policies(cli)?,
        today,
        secure_cookies: args.secure_cookies,
        trust_forwarded_for: args.trust_forwarded_for,
        smtp,
        ..guohe_web::ServeConfig::default()
    };
    if let Some(n) = args.throttle_after {
        cfg.throttle_after = n;
    }
    if let Some(n) = args.throttle_client_after {
        cfg.throttle_client_after = n;
    }
    if let Some(s) = args.throttle_base {
        cfg.throttle_base = Duration::from_secs(s);
    }
    if let Some(s) = args.throttle_cap {
        cfg.throttle_cap = Duration::from_secs(s);
    }
    if let Some(s) = args.throttle_account_cap {
        cfg.throttle_account_cap = Duration::from_secs(s);
    }
    if let Some(n) = args.objections_per_day {
        cfg.objections_per_day = n;
    }
    if let Some(n) = args.verify_per_minute {
        cfg.verify_per_minute = n;
    }
    if let Some(s) = args.verify_statement_ttl {
        if s == 0 {
            return Err(bad("--verify-statement-ttl: 须为正整数秒 must be at least 1 second"));
        }
        cfg.verify_statement_ttl = Duration::from_secs(s);
    }
    // 门户设置: the department's name, contacts and record lines (docs/portal.md).
    if let Some(path) = std::env::var_os("GUOHE_PORTAL_FILE") {
        let shown = std::path::Path::new(&path).display().to_string();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| bad(format!("GUOHE_PORTAL_FILE: 无法读取 cannot read {shown}: {e}")))?;
        let settings = guohe_web::pages::portal::PortalSettings::from_json(&text)
            .map_err(|e| bad(format!("GUOHE_PORTAL_FILE {shown}: {}\n{}", e.zh, e.en)))?;
        cfg.portal = Some(settings);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(guohe_web::serve(cfg))?;
    Ok(())
}
