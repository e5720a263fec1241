//! `guohe serve` — the web application on the embedded database (or PostgreSQL).

use std::net::SocketAddr;

use clap::Args;

use crate::policy_cmd::{parse_date, policies};
use crate::{Cli, CmdResult, bad};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Fill the database with demo data for both provinces and print the demo logins.
    #[arg(long)]
    pub demo: bool,
    /// A fixed business date (for demonstrations and training); default: today.
    #[arg(long)]
    pub today: Option<String>,
    /// Mark cookies Secure (when served behind TLS).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Take the client address from X-Forwarded-For (only behind a trusted proxy).
    #[arg(long)]
    pub trust_forwarded_for: bool,
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
    let cfg = guohe_web::ServeConfig {
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
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(guohe_web::serve(cfg))?;
    Ok(())
}
