//! `guohe audit …` — the tamper-evident audit log: verify the chain (alone, or against signed
//! checkpoints), sign a checkpoint of the chain head, export the checkpoints (docs/audit.md).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use guohe_app::checkpoints::{self, CheckpointReport, Signed};
use guohe_keys::signing::CHECKPOINT_SIGNING;
use guohe_store::{CHECKPOINT_FORMAT, Checkpoint, CheckpointFile};

use crate::lifecycle_cmd::{app_failure, open, runtime};
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Prove the SM3 hash chain intact, or name the first altered, deleted or reordered record;
    /// then check it against signed checkpoints (the database's, or an exported file's).
    Verify(VerifyArgs),
    /// Signed checkpoints of the chain head (SM2, key held in the key file).
    Checkpoint {
        #[command(subcommand)]
        command: CheckpointCommand,
    },
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Checkpoints exported earlier (`guohe audit checkpoint export`) to check the chain
    /// against, instead of those stored in the database.
    #[arg(long, value_name = "FILE")]
    pub checkpoints: Option<PathBuf>,
    /// A public key (hex, SEC 1) the checkpoints must be signed with; repeatable. Default: the
    /// key file's `checkpoint-signing` key when the key file can be read.
    #[arg(long = "public-key", value_name = "HEX")]
    pub public_keys: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum CheckpointCommand {
    /// Sign the current chain head now (the server also does it every 1,000 events and daily).
    Sign,
    /// Write every stored checkpoint to a file, for publication or the audit administrator.
    Export {
        /// Where to write (JSON).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
}

pub fn run(cli: &Cli, command: &AuditCommand) -> CmdResult {
    match command {
        AuditCommand::Verify(a) => verify(cli, a),
        AuditCommand::Checkpoint {
            command: CheckpointCommand::Sign,
        } => sign(cli),
        AuditCommand::Checkpoint {
            command: CheckpointCommand::Export { output },
        } => export(cli, output),
    }
}

fn read_file(path: &PathBuf) -> Result<Vec<Checkpoint>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(format!("--checkpoints: 无法读取 cannot read {}: {e}", path.display())))?;
    let file: CheckpointFile = serde_json::from_str(&text).map_err(|e| {
        bad(format!(
            "--checkpoints: 不是检查点文件 not a checkpoint file ({}): {e}",
            path.display()
        ))
    })?;
    if file.format != CHECKPOINT_FORMAT {
        return Err(bad(format!(
            "--checkpoints: 格式应为 format must be {CHECKPOINT_FORMAT}, got {}",
            file.format
        )));
    }
    Ok(file.checkpoints)
}

/// The key file's checkpoint public key, when the key file can be read; an auditor without it
/// gives `--public-key`.
pub(crate) fn key_file_public_key(cli: &Cli) -> Option<String> {
    let guohe_keys::KeyLocation::File(path) = cli.key_location() else {
        return None;
    };
    let file = guohe_keys::KeyFile::load(&path).ok()??;
    Some(file.signer(CHECKPOINT_SIGNING, &path).ok()??.public_key_hex())
}

fn verify(cli: &Cli, a: &VerifyArgs) -> CmdResult {
    for k in &a.public_keys {
        if k.len() != 130 || !k.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(format!(
                "--public-key: 应为130位十六进制的SM2公钥 must be a 130-hex-digit SM2 public key, got {k:?}"
            )));
        }
    }
    let from_file = a.checkpoints.as_ref().map(read_file).transpose()?;
    runtime()?.block_on(async {
        let log = crate::calendar_cmd::open_log(&cli.database).await?;
        let (checkpoints, source) = match from_file {
            Some(c) => (c, "file"),
            None => (checkpoints::stored(&log).await.map_err(app_failure)?, "database"),
        };
        let mut trusted = a.public_keys.clone();
        if trusted.is_empty() {
            trusted.extend(key_file_public_key(cli));
        }
        let report = checkpoints::verify_log_against(&log, &checkpoints, &trusted)
            .await
            .map_err(app_failure)?;
        print_report(&report, source, &trusted);
        if report.is_intact() {
            Ok(())
        } else {
            Err(Failure::Other(anyhow::anyhow!(
                "the audit log does not verify{}",
                match &report.chain {
                    guohe_store::VerifyReport::Broken { first_bad_seq, reason } =>
                        format!(": chain broken at record {first_bad_seq}: {}", reason.message_en()),
                    _ => format!(": {}", report.findings[0].message_en()),
                }
            )))
        }
    })
}

fn print_report(r: &CheckpointReport, source: &str, trusted: &[String]) {
    println!("{}", r.chain.message_zh());
    if let guohe_store::VerifyReport::Intact { events, head_hash } = &r.chain {
        println!("intact: {events} events, head {head_hash}");
    }
    if r.checked == 0 {
        println!(
            "没有签名检查点（{source}）：哈希链只能证明记录前后一致，不能证明未被整体重写。\nno signed checkpoints ({source}): the chain alone cannot show it was not rewritten end to end"
        );
        return;
    }
    if trusted.is_empty() {
        println!(
            "未给出受信任的公钥：只核对了检查点自带公钥的签名，请与公布的公钥比对。\nno trusted public key given: signatures were checked against each checkpoint's own key; compare it with the published key"
        );
    }
    for f in &r.findings {
        println!("✗ {}\n  {}", f.message_zh(), f.message_en());
    }
    match r.covered_up_to {
        Some(seq) if r.findings.is_empty() => println!(
            "{} 个签名检查点（{source}）均与哈希链一致，第 1–{seq} 号记录与签名时相同。\n{} signed checkpoints ({source}) agree with the chain: records 1–{seq} are as signed",
            r.checked, r.checked
        ),
        _ => {}
    }
}

fn sign(cli: &Cli) -> CmdResult {
    runtime()?.block_on(async {
        let g = open(cli).await?;
        match g.sign_checkpoint(chrono::Utc::now()).await.map_err(app_failure)? {
            Signed::New(c) => println!(
                "已签名检查点 signed checkpoint: seq {} head {} at {} (key version {})",
                c.seq, c.head_hash, c.signed_at, c.key_version
            ),
            Signed::UpToDate(c) => println!(
                "链头已有检查点 the head is already checkpointed: seq {} head {}",
                c.seq, c.head_hash
            ),
            Signed::EmptyLog => println!("事件日志为空，无需签名 the log is empty: nothing to sign"),
        }
        Ok(())
    })
}

fn export(cli: &Cli, output: &PathBuf) -> CmdResult {
    runtime()?.block_on(async {
        let log = crate::calendar_cmd::open_log(&cli.database).await?;
        let checkpoints = checkpoints::stored(&log).await.map_err(app_failure)?;
        let file = CheckpointFile {
            format: CHECKPOINT_FORMAT.into(),
            exported_at: chrono::Utc::now(),
            checkpoints,
        };
        let text = serde_json::to_string_pretty(&file)?;
        std::fs::write(output, text + "\n")
            .map_err(|e| bad(format!("-o: 无法写入 cannot write {}: {e}", output.display())))?;
        println!(
            "已导出 {} 个检查点 exported {} checkpoints to {}",
            file.checkpoints.len(),
            file.checkpoints.len(),
            output.display()
        );
        Ok(())
    })
}
