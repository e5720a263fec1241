//! 快照 — starting from a snapshot of the world plus the events after it, instead of replaying
//! the whole log.
//!
//! A snapshot is the folded world and the stored policies after event `seq`, with that event's
//! chain hash and the body's SM3. At start the latest snapshot is used only if the chain still
//! holds that hash at that seq and the body still hashes to its SM3 and reads back; otherwise it
//! is ignored, the reason is kept in [`StartReport`] (the server logs it), and the next older one is tried,
//! down to a full replay. A snapshot is therefore never trusted over the chain: a rewritten chain
//! or an edited snapshot both fall back to the events themselves.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use guohe_domain::{ApplicationCase, Base, LargeMaps, World};
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
/// lacks it, so the world is folded from the events again). `/3`: the same encoding in lines, so
/// that a start decodes them on two threads (see [`encode`]).
pub const FORMAT: &str = "guohe-world/3";

/// Formats a start reads: a `/2` body is a `/3` body of one line.
const READABLE: &[&str] = &[FORMAT, "guohe-world/2"];

/// Shares each large map is cut into: enough to balance two threads.
const SHARES: usize = 4;

/// The body's first line: the world without its large maps, and the stored policies.
#[derive(Serialize, Deserialize)]
struct Body {
    world: World,
    stored_policies: BTreeMap<String, StoredPolicy>,
}

/// One of the body's further lines: a share of the bases or of the applications.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Share {
    #[serde(default)]
    bases: HashMap<String, Base>,
    #[serde(default)]
    applications: HashMap<String, ApplicationCase>,
}

/// A share to encode: a map's name in the line and some of its entries.
struct ShareOut<'a, V> {
    name: &'static str,
    entries: Vec<(&'a String, &'a V)>,
}

impl<V: Serialize> ShareOut<'_, V> {
    fn line(&self) -> Result<String, serde_json::Error> {
        struct Entries<'e, 'a, V>(&'e [(&'a String, &'a V)]);
        impl<V: Serialize> Serialize for Entries<'_, '_, V> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().copied())
            }
        }
        let mut out = format!("{{\"{}\":", self.name);
        out.push_str(&serde_json::to_string(&Entries(&self.entries))?);
        out.push('}');
        Ok(out)
    }
}

/// Cuts a map's entries into [`SHARES`] shares, round robin (so each holds as many entries).
fn shares<'a, V>(name: &'static str, map: &'a HashMap<String, V>) -> Vec<ShareOut<'a, V>> {
    let mut out: Vec<ShareOut<'a, V>> = (0..SHARES.min(map.len()))
        .map(|_| ShareOut {
            name,
            entries: Vec::with_capacity(map.len() / SHARES + 1),
        })
        .collect();
    let n = out.len();
    for (i, e) in map.iter().enumerate() {
        out[i % n].entries.push(e);
    }
    out
}

/// The body of a snapshot: compact JSON lines (JSON text escapes every line break inside a
/// string, so a line is one document). The first is [`Body`] without the bases and the
/// applications; each further line is a [`Share`] of one of them. The lines are encoded on two
/// threads.
fn encode(mut world: World, stored_policies: BTreeMap<String, StoredPolicy>) -> Result<String, serde_json::Error> {
    let large = world.take_large_maps();
    let head = serde_json::to_string(&Body { world, stored_policies })?;
    let bases = shares("bases", &large.bases);
    let applications = shares("applications", &large.applications);
    // One thread takes every other share; this one the rest.
    let half = |odd: bool| -> Result<Vec<String>, serde_json::Error> {
        let mut v = Vec::new();
        for (i, s) in bases.iter().enumerate() {
            if (i % 2 == 1) == odd {
                v.push(s.line()?);
            }
        }
        for (i, s) in applications.iter().enumerate() {
            if ((i + bases.len()) % 2 == 1) == odd {
                v.push(s.line()?);
            }
        }
        Ok(v)
    };
    let (mine, theirs) = std::thread::scope(|scope| {
        let other = scope.spawn(|| half(true));
        (half(false), joined(other))
    });
    let lines = [mine?, theirs?].concat();
    let mut body = String::with_capacity(head.len() + lines.iter().map(|l| l.len() + 1).sum::<usize>());
    body.push_str(&head);
    for l in lines {
        body.push('\n');
        body.push_str(&l);
    }
    Ok(body)
}

/// A scoped thread's result; its panic goes on in the caller.
fn joined<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// Reads a body back ([`encode`]) and checks that it hashes to `recorded_sm3`. The hash is taken
/// on one thread while the lines are decoded on two (the first line and half the shares here, the
/// other half on a second thread): a body that does not hash to what was recorded is refused
/// however well it decodes.
fn decode(body: &str, recorded_sm3: &str) -> Result<Body, String> {
    let mut lines = body.split('\n');
    let head = lines.next().unwrap_or_default();
    let rest: Vec<&str> = lines.collect();
    // Two halves of about as many bytes each: the larger lines first, each to the lighter side.
    let mut order: Vec<&str> = rest.clone();
    order.sort_by_key(|l| std::cmp::Reverse(l.len()));
    let (mut left, mut right, mut left_bytes, mut right_bytes) = (Vec::new(), Vec::new(), head.len(), 0usize);
    for l in order {
        if left_bytes <= right_bytes {
            left_bytes += l.len();
            left.push(l);
        } else {
            right_bytes += l.len();
            right.push(l);
        }
    }
    let read_shares = |lines: Vec<&str>| -> Result<Vec<Share>, String> {
        lines
            .into_iter()
            .map(|l| serde_json::from_str::<Share>(l).map_err(|e| format!("the body cannot be read: {e}")))
            .collect()
    };
    let (sm3, head, right) = std::thread::scope(|scope| {
        let hasher = scope.spawn(|| sm3_hex(body.as_bytes()));
        let other = scope.spawn(|| read_shares(right));
        let head = serde_json::from_str::<Body>(head)
            .map_err(|e| format!("the body cannot be read: {e}"))
            .and_then(|h| Ok((h, read_shares(left)?)));
        (joined(hasher), head, joined(other))
    });
    if sm3 != recorded_sm3 {
        return Err(format!("the body hashes to {sm3}, recorded {recorded_sm3}"));
    }
    let (mut body, left) = head?;
    for share in left.into_iter().chain(right?) {
        body.world.put_large_maps(LargeMaps {
            bases: share.bases,
            applications: share.applications,
        });
    }
    Ok(body)
}

/// How the service started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartReport {
    /// The seq of the snapshot started from, if one was used.
    pub from_snapshot: Option<i64>,
    /// Snapshots found unusable, latest first: (seq, why).
    pub ignored: Vec<(i64, String)>,
}

/// Why a stored snapshot cannot be used, judged before its body is read. With a trusted
/// checkpoint key, only a snapshot signed with it is used: an insider who edits a body and
/// recomputes its SM3 cannot sign it.
fn check(s: &Snapshot, chain_hash: Option<String>, trusted_key: Option<&str>) -> Result<(), String> {
    if let Some(key) = trusted_key {
        match &s.signature {
            Some(sig) if verify_signature(key, &s.message(), sig) => {}
            Some(_) => return Err("its signature does not verify under the checkpoint key".into()),
            None => return Err("it is not signed, and the key file has a checkpoint key".into()),
        }
    }
    if !READABLE.contains(&s.format.as_str()) {
        return Err(format!("format {} is not {FORMAT}", s.format));
    }
    match chain_hash {
        None => Err(format!("the chain has no event {}", s.seq)),
        Some(h) if h != s.chain_hash => Err(format!(
            "the chain's hash at {} is {h}, the snapshot was taken at {}",
            s.seq, s.chain_hash
        )),
        Some(_) => Ok(()),
    }
}

/// Puts the latest usable snapshot into `inner` (world, stored policies, last seq). Only the
/// body of a snapshot that passed [`check`] is read, one at a time.
pub(crate) async fn restore(log: &EventLog, vault: &Vault, inner: &mut Inner) -> Result<StartReport, AppError> {
    let store = SnapshotStore::open(log).await?;
    let hashes = CheckpointStore::open(log).await?;
    let trusted = vault.signer(CHECKPOINT_SIGNING)?.map(|s| s.public_key_hex());
    let mut report = StartReport::default();
    for s in store.latest_first().await? {
        if let Err(why) = check(&s, hashes.hash_at(s.seq).await?, trusted.as_deref()) {
            report.ignored.push((s.seq, why));
            continue;
        }
        let Some(text) = store.body(s.seq).await? else {
            report
                .ignored
                .push((s.seq, "it was removed while the server started".into()));
            continue;
        };
        let recorded = s.body_sm3.clone();
        let decoded = tokio::task::spawn_blocking(move || decode(&text, &recorded))
            .await
            .map_err(|e| AppError::Corrupt(format!("snapshot {}: {e}", s.seq)))?;
        match decoded {
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
            (inner.last_seq, (inner.world.clone(), inner.stored_policies.clone()))
        };
        let body = tokio::task::spawn_blocking(move || encode(body.0, body.1))
            .await
            .map_err(|e| AppError::Corrupt(format!("snapshot: {e}")))?
            .map_err(|e| AppError::Corrupt(format!("snapshot: {e}")))?;
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
