//! 签名检查点 — signing the chain head and checking the chain against signed checkpoints.
//!
//! What each check proves (docs/audit.md says the same for administrators):
//! - the chain alone ([`Guohe::verify`]) proves every record consistent with the one before it
//!   and with the chain head; it cannot tell a genuine chain from one rewritten end to end by
//!   someone with write access to the database;
//! - with checkpoints, every record up to the latest checkpoint is proven to be the one the key
//!   holder signed: a changed record, even with every later hash recomputed, no longer ends in
//!   the signed hash, and records cut off the end leave a checkpoint beyond the chain's end.
//!   Records after the latest checkpoint are protected by the chain alone until the next one.
//! - checkpoints read from the database can be deleted with it; an exported file kept elsewhere
//!   (or published) catches that. A signature proves something only under a public key the
//!   verifier trusts: the key file's, or one given by the auditor.

use chrono::{DateTime, Duration, Utc};
use guohe_keys::signing::{CHECKPOINT_SIGNING, verify as verify_signature};
use guohe_store::{Checkpoint, CheckpointStore, EventLog, VerifyReport};

use crate::{AppError, Guohe};

/// A checkpoint is signed once this many events were appended since the last one.
pub const EVERY_EVENTS: i64 = 1_000;

/// … or once a day has passed since the last one and there is anything new.
pub fn every() -> Duration {
    Duration::days(1)
}

/// What [`Guohe::sign_checkpoint`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signed {
    /// A new checkpoint of the current head.
    New(Checkpoint),
    /// The head is already checkpointed (by this process or another server).
    UpToDate(Checkpoint),
    /// The log is empty: there is nothing to sign.
    EmptyLog,
}

/// Something wrong found by checking the chain against checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The signature does not verify under the checkpoint's own public key: the checkpoint was
    /// altered or forged.
    BadSignature {
        /// The checkpoint's seq.
        seq: i64,
    },
    /// Signed with a key the verifier does not trust.
    UntrustedKey {
        /// The checkpoint's seq.
        seq: i64,
        /// Its public key.
        public_key: String,
    },
    /// The checkpoint covers records the chain no longer has: records were cut off the end.
    BeyondEnd {
        /// The checkpoint's seq.
        seq: i64,
        /// Events in the chain now.
        events: i64,
    },
    /// The chain's record at the checkpoint's seq is not the one signed: the records up to it
    /// were changed and the chain recomputed.
    Rewritten {
        /// The checkpoint's seq.
        seq: i64,
        /// The signed hash.
        signed: String,
        /// The hash in the chain now.
        found: String,
    },
}

impl Finding {
    /// For people, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Finding::BadSignature { seq } => format!("第 {seq} 号检查点的签名无效：检查点被篡改或伪造。"),
            Finding::UntrustedKey { seq, public_key } => {
                format!("第 {seq} 号检查点由不受信任的公钥签名（{public_key}）。")
            }
            Finding::BeyondEnd { seq, events } => format!(
                "已签名的检查点覆盖到第 {seq} 号记录，而事件日志现仅有 {events} 条：末尾记录被删除，链头被改写。"
            ),
            Finding::Rewritten { seq, signed, found } => format!(
                "第 {seq} 号记录的哈希与已签名检查点不符（签名 {signed}，现为 {found}）：此前的记录被修改且哈希链被重算。"
            ),
        }
    }

    /// For people, in English.
    pub fn message_en(&self) -> String {
        match self {
            Finding::BadSignature { seq } => {
                format!("the signature of checkpoint {seq} is invalid: the checkpoint was altered or forged")
            }
            Finding::UntrustedKey { seq, public_key } => {
                format!("checkpoint {seq} is signed with an untrusted public key ({public_key})")
            }
            Finding::BeyondEnd { seq, events } => format!(
                "a signed checkpoint covers record {seq} but the log now has {events} events: records were cut off the end and the chain head rewritten"
            ),
            Finding::Rewritten { seq, signed, found } => format!(
                "record {seq} does not carry the signed hash (signed {signed}, now {found}): earlier records were changed and the chain recomputed"
            ),
        }
    }
}

/// The chain checked, then checked against checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointReport {
    /// The chain's own verification.
    pub chain: VerifyReport,
    /// Checkpoints checked.
    pub checked: usize,
    /// The latest seq covered by a good checkpoint.
    pub covered_up_to: Option<i64>,
    /// What is wrong, by checkpoint.
    pub findings: Vec<Finding>,
}

impl CheckpointReport {
    /// Whether the chain is intact and agrees with every checkpoint.
    pub fn is_intact(&self) -> bool {
        self.chain.is_intact() && self.findings.is_empty()
    }
}

/// Checks checkpoints against the chain: `hash_at(seq)` is the chain's hash at seq, `events` its
/// length, `trusted` the public keys accepted (empty: each checkpoint's own key, which proves
/// only that the file is self-consistent).
pub fn check(
    checkpoints: &[Checkpoint],
    trusted: &[String],
    events: i64,
    mut hash_at: impl FnMut(i64) -> Option<String>,
) -> (Vec<Finding>, Option<i64>) {
    let mut findings = Vec::new();
    let mut covered = None;
    for c in checkpoints {
        if !verify_signature(&c.public_key, &c.signed_message(), &c.signature) {
            findings.push(Finding::BadSignature { seq: c.seq });
            continue;
        }
        if !trusted.is_empty() && !trusted.iter().any(|k| k.eq_ignore_ascii_case(&c.public_key)) {
            findings.push(Finding::UntrustedKey {
                seq: c.seq,
                public_key: c.public_key.clone(),
            });
            continue;
        }
        if c.seq > events {
            findings.push(Finding::BeyondEnd { seq: c.seq, events });
            continue;
        }
        match hash_at(c.seq) {
            Some(h) if h == c.head_hash => covered = covered.max(Some(c.seq)),
            found => findings.push(Finding::Rewritten {
                seq: c.seq,
                signed: c.head_hash.clone(),
                found: found.unwrap_or_default(),
            }),
        }
    }
    (findings, covered)
}

impl Guohe {
    async fn checkpoint_store(&self) -> Result<CheckpointStore, AppError> {
        Ok(CheckpointStore::open(self.log()).await?)
    }

    /// The public key of the key file's checkpoint-signing key, if it has one.
    pub fn checkpoint_public_key(&self) -> Result<Option<String>, AppError> {
        Ok(self.vault().signer(CHECKPOINT_SIGNING)?.map(|s| s.public_key_hex()))
    }

    /// Signs the current chain head with the key file's `checkpoint-signing` key and stores the
    /// checkpoint. Refused (as bad input naming the key) when the key file has no such key.
    pub async fn sign_checkpoint(&self, now: DateTime<Utc>) -> Result<Signed, AppError> {
        let signer = self.vault().signer(CHECKPOINT_SIGNING)?.ok_or_else(|| {
            AppError::Refused(guohe_domain::Refusal::invalid(
                "key_file",
                format!("密钥文件中没有检查点签名密钥（{CHECKPOINT_SIGNING}）；请先执行 guohe key add-signing-key --name {CHECKPOINT_SIGNING}"),
                format!("the key file has no `{CHECKPOINT_SIGNING}` key: run guohe key add-signing-key --name {CHECKPOINT_SIGNING}"),
            ))
        })?;
        let store = self.checkpoint_store().await?;
        let Some((seq, head_hash)) = self.log().head().await? else {
            return Ok(Signed::EmptyLog);
        };
        if let Some(last) = store.latest().await?
            && last.seq >= seq
        {
            return Ok(Signed::UpToDate(last));
        }
        let signed_at = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
        let c = Checkpoint {
            seq,
            signature: signer.sign(&Checkpoint::message(seq, &head_hash, signed_at)),
            head_hash,
            signed_at,
            key_version: signer.version(),
            public_key: signer.public_key_hex(),
        };
        if store.record(&c).await? {
            Ok(Signed::New(c))
        } else {
            // Another server signed the same head first.
            Ok(store.latest().await?.map_or(Signed::New(c), Signed::UpToDate))
        }
    }

    /// Signs a checkpoint when [`EVERY_EVENTS`] events were appended since the last one, or a
    /// day passed and anything was appended. Nothing happens without a checkpoint-signing key.
    pub async fn checkpoint_if_due(&self, now: DateTime<Utc>) -> Result<Option<Checkpoint>, AppError> {
        if self.vault().signer(CHECKPOINT_SIGNING)?.is_none() {
            return Ok(None);
        }
        let Some((seq, _)) = self.log().head().await? else {
            return Ok(None);
        };
        let due = match self.checkpoint_store().await?.latest().await? {
            None => true,
            Some(last) => seq - last.seq >= EVERY_EVENTS || (seq > last.seq && now - last.signed_at >= every()),
        };
        if !due {
            return Ok(None);
        }
        Ok(match self.sign_checkpoint(now).await? {
            Signed::New(c) => Some(c),
            _ => None,
        })
    }

    /// The checkpoints stored in the database, by seq.
    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>, AppError> {
        Ok(self.checkpoint_store().await?.all().await?)
    }

    /// Verifies the chain, then checks it against `checkpoints` (an exported file, or the
    /// database's own) under the `trusted` public keys.
    pub async fn verify_against(
        &self,
        checkpoints: &[Checkpoint],
        trusted: &[String],
    ) -> Result<CheckpointReport, AppError> {
        verify_log_against(self.log(), checkpoints, trusted).await
    }
}

/// The checkpoints stored in a database (for auditors, without the key file).
pub async fn stored(log: &EventLog) -> Result<Vec<Checkpoint>, AppError> {
    Ok(CheckpointStore::open(log).await?.all().await?)
}

/// [`Guohe::verify_against`] on a log opened without the key file: an auditor needs only the
/// database and the public key.
pub async fn verify_log_against(
    log: &EventLog,
    checkpoints: &[Checkpoint],
    trusted: &[String],
) -> Result<CheckpointReport, AppError> {
    let chain = log.verify().await?;
    let store = CheckpointStore::open(log).await?;
    let events = log.head().await?.map_or(0, |(seq, _)| seq);
    let mut hashes = std::collections::HashMap::new();
    for c in checkpoints {
        if c.seq <= events {
            hashes.insert(c.seq, store.hash_at(c.seq).await?);
        }
    }
    let (findings, covered_up_to) = check(checkpoints, trusted, events, |seq| hashes.get(&seq).cloned().flatten());
    Ok(CheckpointReport {
        chain,
        checked: checkpoints.len(),
        covered_up_to,
        findings,
    })
}
