//! 快照 — starting from a snapshot of the world plus the events after it, instead of replaying
//! the whole log.
//!
//! A snapshot is the folded world and the stored policies after event `seq`, with that event's
//! chain hash and the body's SM3. At start the latest snapshot is used only if the chain still
//! holds that hash at that seq and the body still hashes to its SM3 and reads back; otherwise it
//! is ignored, the reason is kept in [`StartReport`] (the server logs it), and the next older one is tried,
//! down to a full replay. A snapshot is therefore never trusted over the chain: a rewritten chain
//! or an edited snapshot both fall back to the events themselves.

use std::collections::BTreeMap;

use chrono::Utc;
use guohe_domain::World;
use guohe_keys::Vault;
use guohe_keys::signing::{CHECKPOINT_SIGNING, verify as verify_signature};
use guohe_store::{CheckpointStore, EventLog, Snapshot, SnapshotStore, sm3_hex};
use serde::{Deserialize, Serialize};

use crate::stored_policy::StoredPolicy;
use crate::{AppError, Guohe, Inner};

/// A snapshot is taken once this many events were folded in since the latest one.
pub const EVERY_EVENTS: i64 = 10_000;

/// Snapshots kept; older ones are removed.
pub const KEEP: i64 = 3;

/// Format of the body; a snapshot of another format is ignored (and replaced in time).
/// `/2`: each status in a base's history keeps the consequence rule that set it (a `/1` body
/// lacks it, so the world is folded from the events again).
pub const FORMAT: &str = "guohe-world/2";

#[derive(Serialize, Deserialize)]
struct Body {
    world: World,
    stored_policies: BTreeMap<String, StoredPolicy>,
}

/// How the service started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartReport {
    /// The seq of the snapshot started from, if one was used.
    pub from_snapshot: Option<i64>,
    /// Snapshots found unusable, latest first: (seq, why).
    pub ignored: Vec<(i64, String)>,
}

/// Why a stored snapshot cannot be used, or its body. With a trusted checkpoint key, only a
/// snapshot signed with it is used: an insider who edits a body and recomputes its SM3 cannot
/// sign it.
fn check(s: &Snapshot, chain_hash: Option<String>, trusted_key: Option<&str>) -> Result<Body, String> {
    if let Some(key) = trusted_key {
        match &s.signature {
            Some(sig) if verify_signature(key, &s.message(), sig) => {}
            Some(_) => return Err("its signature does not verify under the checkpoint key".into()),
            None => return Err("it is not signed, and the key file has a checkpoint key".into()),
        }
    }
    if s.format != FORMAT {
        return Err(format!("format {} is not {FORMAT}", s.format));
    }
    match chain_hash {
        None => return Err(format!("the chain has no event {}", s.seq)),
        Some(h) if h != s.chain_hash => {
            return Err(format!(
                "the chain's hash at {} is {h}, the snapshot was taken at {}",
                s.seq, s.chain_hash
            ));
        }
        Some(_) => {}
    }
    let sm3 = sm3_hex(s.body.as_bytes());
    if sm3 != s.body_sm3 {
        return Err(format!("the body hashes to {sm3}, recorded {}", s.body_sm3));
    }
    serde_json::from_str(&s.body).map_err(|e| format!("the body cannot be read: {e}"))
}

/// Puts the latest usable snapshot into `inner` (world, stored policies, last seq).
pub(crate) async fn restore(log: &EventLog, vault: &Vault, inner: &mut Inner) -> Result<StartReport, AppError> {
    let store = SnapshotStore::open(log).await?;
    let hashes = CheckpointStore::open(log).await?;
    let trusted = vault.signer(CHECKPOINT_SIGNING)?.map(|s| s.public_key_hex());
    let mut report = StartReport::default();
    for s in store.latest_first().await? {
        match check(&s, hashes.hash_at(s.seq).await?, trusted.as_deref()) {
            Ok(body) => {
                inner.world = body.world;
                inner.views.reset();
                inner.views.sync(&inner.world);
                inner.stored_policies = body.stored_policies;
                inner.last_seq = s.seq;
                report.from_snapshot = Some(s.seq);
                break;
            }
            Err(why) => report.ignored.push((s.seq, why)),
        }
    }
    Ok(report)
}

impl Guohe {
    /// How this service started (the snapshot used, those ignored and why).
    pub fn start_report(&self) -> &StartReport {
        &self.start
    }

    /// Takes a snapshot of the world as folded now (after reading the log's tail). Returns its
    /// seq, or `None` for an empty log.
    pub async fn take_snapshot(&self) -> Result<Option<i64>, AppError> {
        self.refresh().await?;
        let (seq, body) = {
            let inner = self.inner.read().await;
            if inner.last_seq == 0 {
                return Ok(None);
            }
            let body = Body {
                world: inner.world.clone(),
                stored_policies: inner.stored_policies.clone(),
            };
            (inner.last_seq, body)
        };
        let body = serde_json::to_string(&body).map_err(|e| AppError::Corrupt(format!("snapshot: {e}")))?;
        let chain_hash = CheckpointStore::open(self.log())
            .await?
            .hash_at(seq)
            .await?
            .ok_or_else(|| AppError::Corrupt(format!("snapshot: no event {seq} in the chain")))?;
        let mut snapshot = Snapshot {
            seq,
            chain_hash,
            format: FORMAT.into(),
            body_sm3: sm3_hex(body.as_bytes()),
            created_at: Utc::now(),
            signature: None,
            body,
        };
        if let Some(signer) = self.vault().signer(CHECKPOINT_SIGNING)? {
            snapshot.signature = Some(signer.sign(&snapshot.message()));
        }
        SnapshotStore::open(self.log()).await?.put(&snapshot, KEEP).await?;
        Ok(Some(seq))
    }

    /// Takes a snapshot when [`EVERY_EVENTS`] events were folded in since the latest one.
    pub async fn snapshot_if_due(&self) -> Result<Option<i64>, AppError> {
        let latest = SnapshotStore::open(self.log()).await?.latest_seq().await?;
        if self.inner.read().await.last_seq - latest < EVERY_EVENTS {
            return Ok(None);
        }
        self.take_snapshot().await
    }
}
