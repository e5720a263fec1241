//! `guohe backup -o FILE` and `guohe restore FILE --database URL` — a logical copy of every
//! durable table, taken while the server runs, restored into an empty database of either kind
//! only after its chain and signed checkpoints verify (docs/deployment.md).

use std::path::PathBuf;

use clap::Args;
use guohe_app::backup;
use guohe_store::backup::Backup;

use crate::lifecycle_cmd::runtime;
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Where to write the backup (JSON).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file.
    pub file: PathBuf,
    /// A public key (hex, SEC 1) the backup's checkpoints must be signed with; repeatable.
    /// Default: the key file's `checkpoint-signing` key when it can be read.
    #[arg(long = "public-key", value_name = "HEX")]
    pub public_keys: Vec<String>,
}

pub fn run_backup(cli: &Cli, a: &BackupArgs) -> CmdResult {
    runtime()?.block_on(async {
        let log = crate::calendar_cmd::open_log(&cli.database).await?;
        let b = backup::take(&log, chrono::Utc::now())
            .await
            .map_err(crate::lifecycle_cmd::app_failure)?;
        let text = serde_json::to_string(&b)?;
        std::fs::write(&a.output, text)
            .map_err(|e| bad(format!("-o: 无法写入 cannot write {}: {e}", a.output.display())))?;
        let rows: usize = b.tables.iter().map(|t| t.rows.len()).sum();
        println!(
            "已备份 backed up {} events (head {}) and {rows} rows of {} tables from {} to {}",
            b.events,
            b.head_hash,
            b.tables.len(),
            b.source,
            a.output.display()
        );
        Ok(())
    })
}

pub fn run_restore(cli: &Cli, a: &RestoreArgs) -> CmdResult {
    let text = std::fs::read_to_string(&a.file)
        .map_err(|e| bad(format!("FILE: 无法读取 cannot read {}: {e}", a.file.display())))?;
    let b: Backup = serde_json::from_str(&text).map_err(|e| {
        bad(format!(
            "FILE: 不是国合备份文件 not a Guohe backup ({}): {e}",
            a.file.display()
        ))
    })?;
    let mut trusted = a.public_keys.clone();
    if trusted.is_empty() {
        trusted.extend(crate::audit_cmd::key_file_public_key(cli));
    }
    runtime()?.block_on(async {
        match backup::restore(&cli.database, &b, &trusted)
            .await
            .map_err(crate::lifecycle_cmd::app_failure)?
        {
            Ok(r) => {
                println!(
                    "已恢复 restored {} events, {} signed checkpoints verified; the chain verifies on the target",
                    r.events, r.checkpoints
                );
                for (t, n) in r.tables {
                    println!("  {t:<20} {n}");
                }
                Ok(())
            }
            Err(refused) => Err(Failure::BadInput(format!("{}\n{refused}", refused.message_zh()))),
        }
    })
}
