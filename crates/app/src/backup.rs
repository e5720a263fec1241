//! 备份与恢复 — taking a backup while the service runs, and restoring one only after its chain
//! and its signed checkpoints verify, into an empty database of either kind
//! ([`guohe_store::backup`] says what is copied).

use chrono::{DateTime, SecondsFormat, Utc};
use guohe_store::backup::{self, Backup};
use guohe_store::{AccountStore, Checkpoint, CheckpointStore, EventLog, KeyStore, NotifyStore, SnapshotStore};
use serde_json::Value;

use crate::AppError;
use crate::checkpoints::{Finding, check};

/// Why a backup was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The file is not a backup this version reads.
    #[error("not a Guohe backup: {0}")]
    Unreadable(String),
    /// The backup's chain is broken: record and why.
    #[error("the backup's chain is broken at record {0}: {1}")]
    Chain(i64, String),
    /// A signed checkpoint disagrees with the backup.
    #[error("the backup does not match a signed checkpoint: {}", .0.message_en())]
    Checkpoint(Finding),
    /// The target database already holds data.
    #[error("the target database is not empty (it holds events or accounts)")]
    NotEmpty,
}

impl Refused {
    /// For people, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Refused::Unreadable(e) => format!("不是国合备份文件：{e}"),
            Refused::Chain(seq, why) => format!("备份中的哈希链在第 {seq} 号记录处断裂（{why}），不予恢复。"),
            Refused::Checkpoint(f) => format!("备份与已签名检查点不符，不予恢复：{}", f.message_zh()),
            Refused::NotEmpty => "目标数据库不是空库（已有事件或账户），不予恢复。".into(),
        }
    }
}

/// What a restore wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// Events restored.
    pub events: i64,
    /// Checkpoints in the backup, all verified.
    pub checkpoints: usize,
    /// Rows restored per table.
    pub tables: Vec<(String, usize)>,
}

/// Takes a backup of the database behind `log` (online: one consistent read).
pub async fn take(log: &EventLog, now: DateTime<Utc>) -> Result<Backup, AppError> {
    Ok(backup::take(log, &now.to_rfc3339_opts(SecondsFormat::Micros, true)).await?)
}

/// The backup's signed checkpoints.
fn checkpoints(b: &Backup) -> Result<Vec<Checkpoint>, Refused> {
    let Some(t) = b.table("checkpoints") else {
        return Ok(Vec::new());
    };
    t.rows
        .iter()
        .map(|r| {
            let obj: serde_json::Map<String, Value> = t.columns.iter().cloned().zip(r.iter().cloned()).collect();
            serde_json::from_value(Value::Object(obj)).map_err(|e| Refused::Unreadable(format!("checkpoint: {e}")))
        })
        .collect()
}

/// Verifies a backup before anything is written: its chain, then its signed checkpoints under
/// the `trusted` public keys (empty: each checkpoint's own key).
pub fn verify(b: &Backup, trusted: &[String]) -> Result<usize, Refused> {
    if b.format != backup::BACKUP_FORMAT {
        return Err(Refused::Unreadable(format!("format {}", b.format)));
    }
    b.check_chain().map_err(|(seq, why)| Refused::Chain(seq, why))?;
    let events = b.events().map_err(Refused::Unreadable)?;
    let cps = checkpoints(b)?;
    let (findings, _) = check(&cps, trusted, events.len() as i64, |seq| {
        events.get(seq as usize - 1).map(|e| e.hash.clone())
    });
    if let Some(f) = findings.into_iter().next() {
        return Err(Refused::Checkpoint(f));
    }
    Ok(cps.len())
}

/// Restores a verified backup into the empty database at `url` (created and migrated here),
/// then verifies the chain there.
pub async fn restore(url: &str, b: &Backup, trusted: &[String]) -> Result<Result<Restored, Refused>, AppError> {
    let checkpoints = match verify(b, trusted) {
        Ok(n) => n,
        Err(r) => return Ok(Err(r)),
    };
    let log = crate::connect(url).await?;
    // Every table family is migrated before rows are written into it.
    AccountStore::open(&log).await?;
    KeyStore::open(&log).await?;
    NotifyStore::open(&log).await?;
    CheckpointStore::open(&log).await?;
    SnapshotStore::open(&log).await?;
    if !backup::is_empty(&log).await? {
        return Ok(Err(Refused::NotEmpty));
    }
    backup::restore(&log, b).await?;
    let report = log.verify().await?;
    if !report.is_intact() {
        return Err(AppError::Corrupt(format!(
            "the restored chain does not verify: {}",
            report.message_zh()
        )));
    }
    Ok(Ok(Restored {
        events: b.events,
        checkpoints,
        tables: b.tables.iter().map(|t| (t.name.clone(), t.rows.len())).collect(),
    }))
}
