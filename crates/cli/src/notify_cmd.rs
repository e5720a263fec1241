//! `guohe notify --as-of DATE [--dry-run]` — the notification pass from the command line: what
//! is due on a date goes into the inboxes and, with a relay configured (`GUOHE_SMTP_*`), out
//! by mail. `--dry-run` prints what would go out and writes no message.

use chrono::Utc;
use clap::Args;
use guohe_notify::{Notifier, SmtpConfig, plan};
use guohe_store::{AccountStore, NotifyStore};

use crate::policy_cmd::{parse_date, policies};
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Args, Debug)]
pub struct NotifyArgs {
    /// The business date the reminders are computed for (YYYY-MM-DD).
    #[arg(long)]
    pub as_of: String,
    /// Print what would go out; write no message and send no mail.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(cli: &Cli, args: &NotifyArgs) -> CmdResult {
    let as_of = parse_date("--as-of", &args.as_of)?;
    let smtp = SmtpConfig::from_env().map_err(|e| {
        bad(format!(
            "{}: {}\n{}: {}",
            e.variable, e.message_zh, e.variable, e.message_en
        ))
    })?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let g = guohe_app::Guohe::open(&cli.database, policies(cli)?)
            .await
            .map_err(|e| Failure::Other(e.into()))?;
        let accounts = AccountStore::open(g.log()).await?;
        if args.dry_run {
            let store = NotifyStore::attach(g.log()).await?;
            let p = plan(&g, &accounts, store.as_ref(), as_of, smtp.is_some())
                .await
                .map_err(other)?;
            println!(
                "通知 notifications {as_of}（演练，不写入 dry run: nothing is written; 邮件 mail: {}）",
                if smtp.is_some() { "on" } else { "off" }
            );
            let mut fresh = 0;
            for m in &p.messages {
                let state = if m.exists {
                    "已发 before"
                } else {
                    fresh += 1;
                    "新 new    "
                };
                let channel = if m.message.mail { "mail+inbox" } else { "inbox     " };
                println!("{state} {channel} {:<14} {}  {}", m.message.login, m.message.key, m.message.subject);
            }
            println!("合计 total: {fresh} new, {} already in inboxes", p.messages.len() - fresh);
            return Ok(());
        }
        let notifier = Notifier::open(g.log(), accounts, smtp.as_ref()).await.map_err(other)?;
        let r = notifier.run_pass(&g, as_of, Utc::now()).await.map_err(other)?;
        println!(
            "通知 notifications {as_of}: 写入收件箱 enqueued {} · 邮件已发送 sent {} · 待重试 retrying {} · 已放弃 failed {}",
            r.enqueued, r.sent, r.retrying, r.failed
        );
        Ok(())
    })
}

fn other(e: guohe_notify::NotifyError) -> Failure {
    Failure::Other(e.into())
}
