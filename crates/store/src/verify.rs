//! Verification of the hash chain: report types and the backend-neutral walker.

use std::collections::HashMap;

use crate::StoredEvent;
use crate::hash::GENESIS_HASH;

/// Result of [`EventLog::verify`](crate::EventLog::verify).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyReport {
    /// Every record is present, in order, unaltered, and the chain head agrees.
    Intact {
        /// Number of events in the log.
        events: i64,
        /// Hash of the last event (64 zeros for an empty log).
        head_hash: String,
    },
    /// The log has been tampered with (or damaged). Records before
    /// `first_bad_seq` are intact.
    Broken {
        /// Sequence number of the first record found to be bad (or missing).
        first_bad_seq: i64,
        /// What is wrong with it.
        reason: BreakReason,
    },
}

impl VerifyReport {
    /// `true` for [`VerifyReport::Intact`].
    pub fn is_intact(&self) -> bool {
        matches!(self, VerifyReport::Intact { .. })
    }

    /// A one-line Chinese summary for administrators.
    pub fn message_zh(&self) -> String {
        match self {
            VerifyReport::Intact { events, head_hash } => {
                format!("事件日志完整：共 {events} 条记录，哈希链校验通过（链头 SM3：{head_hash}）。")
            }
            VerifyReport::Broken { first_bad_seq, reason } => format!(
                "事件日志校验失败：第 {first_bad_seq} 号记录起不可信。{}",
                reason.message_zh()
            ),
        }
    }
}

/// Broad category of a [`BreakReason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakCategory {
    /// A record's contents were changed after it was written.
    Altered,
    /// One or more records were removed.
    Deleted,
    /// Records were moved to different positions.
    Reordered,
}

/// Why verification failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakReason {
    /// The record's recomputed SM3 hash differs from the stored one: its
    /// contents (or its stored hash) were altered.
    HashMismatch {
        /// Hash stored with the record.
        stored_hash: String,
        /// Hash recomputed from the record's contents.
        computed_hash: String,
    },
    /// The record cannot even be decoded (e.g. a date column holds garbage).
    Undecodable {
        /// What could not be decoded.
        detail: String,
    },
    /// A sequence number is missing: the record was deleted.
    MissingRecord {
        /// The sequence number that should have come next.
        expected_seq: i64,
        /// The sequence number actually found next (`None`: the log ends early).
        found_seq: Option<i64>,
    },
    /// The record is self-consistent but its `prev_hash` matches no record in
    /// the log: its predecessor was deleted (and the gap renumbered).
    PredecessorMissing {
        /// The predecessor hash the record claims.
        prev_hash: String,
    },
    /// The record's `prev_hash` names a record stored at another position:
    /// records were reordered.
    Reordered {
        /// Sequence number where the claimed predecessor now sits.
        linked_seq: i64,
    },
    /// A stream's versions are not gapless (1, 2, 3, ...).
    StreamVersionGap {
        /// The stream.
        stream: String,
        /// Version that should have come next.
        expected: i64,
        /// Version found.
        found: i64,
    },
    /// The separately kept chain head does not match the last record.
    HeadMismatch {
        /// Sequence number recorded in the chain head.
        head_seq: i64,
        /// Hash recorded in the chain head.
        head_hash: String,
        /// Last sequence number actually present.
        last_seq: i64,
        /// Hash of the last record actually present.
        last_hash: String,
    },
}

impl BreakReason {
    /// Broad category: altered, deleted or reordered.
    pub fn category(&self) -> BreakCategory {
        match self {
            BreakReason::HashMismatch { .. }
            | BreakReason::Undecodable { .. }
            | BreakReason::StreamVersionGap { .. }
            | BreakReason::HeadMismatch { .. } => BreakCategory::Altered,
            BreakReason::MissingRecord { .. } | BreakReason::PredecessorMissing { .. } => BreakCategory::Deleted,
            BreakReason::Reordered { .. } => BreakCategory::Reordered,
        }
    }

    /// Explanation in Chinese, for administrators and auditors.
    pub fn message_zh(&self) -> String {
        match self {
            BreakReason::HashMismatch {
                stored_hash,
                computed_hash,
            } => format!(
                "记录内容已被篡改：按内容重新计算的 SM3 哈希值（{computed_hash}）与存储的哈希值（{stored_hash}）不一致。"
            ),
            BreakReason::Undecodable { detail } => {
                format!("记录已被篡改或损坏，无法解析：{detail}。")
            }
            BreakReason::MissingRecord {
                expected_seq,
                found_seq: Some(found),
            } => {
                format!("记录已被删除：序号不连续，应为第 {expected_seq} 号，实际为第 {found} 号。")
            }
            BreakReason::MissingRecord {
                expected_seq,
                found_seq: None,
            } => format!("记录已被删除：链头表明日志应包含第 {expected_seq} 号及其后的记录，但日志在此之前结束。"),
            BreakReason::PredecessorMissing { prev_hash } => {
                format!("记录已被删除：该记录所链接的前一条记录（哈希值 {prev_hash}）在日志中不存在。")
            }
            BreakReason::Reordered { linked_seq } => {
                format!("记录顺序已被调换：该记录链接的前一条记录现位于第 {linked_seq} 号。")
            }
            BreakReason::StreamVersionGap {
                stream,
                expected,
                found,
            } => format!("案卷 {stream} 的版本号不连续：应为 {expected}，实际为 {found}。"),
            BreakReason::HeadMismatch {
                head_seq,
                head_hash,
                last_seq,
                last_hash,
            } => format!(
                "链头记录与日志不一致：链头为第 {head_seq} 号（{head_hash}），日志最后一条为第 {last_seq} 号（{last_hash}）。"
            ),
        }
    }

    /// Explanation in English.
    pub fn message_en(&self) -> String {
        match self {
            BreakReason::HashMismatch {
                stored_hash,
                computed_hash,
            } => format!(
                "the record was altered: its SM3 hash recomputed from its contents ({computed_hash}) differs from the stored hash ({stored_hash})"
            ),
            BreakReason::Undecodable { detail } => {
                format!("the record is altered or damaged and cannot be read: {detail}")
            }
            BreakReason::MissingRecord {
                expected_seq,
                found_seq: Some(found),
            } => format!("a record was deleted: record {expected_seq} was expected next, record {found} was found"),
            BreakReason::MissingRecord {
                expected_seq,
                found_seq: None,
            } => format!(
                "a record was deleted: the chain head says the log holds record {expected_seq} and later ones, but the log ends before it"
            ),
            BreakReason::PredecessorMissing { prev_hash } => {
                format!("a record was deleted: the record's predecessor (hash {prev_hash}) is not in the log")
            }
            BreakReason::Reordered { linked_seq } => {
                format!("records were reordered: the record's predecessor now sits at record {linked_seq}")
            }
            BreakReason::StreamVersionGap {
                stream,
                expected,
                found,
            } => {
                format!("the versions of case {stream} are not consecutive: {expected} was expected, {found} was found")
            }
            BreakReason::HeadMismatch {
                head_seq,
                head_hash,
                last_seq,
                last_hash,
            } => format!(
                "the chain head does not match the log: the head names record {head_seq} ({head_hash}), the last record is {last_seq} ({last_hash})"
            ),
        }
    }
}

/// Outcome of feeding one row to the [`Walker`].
pub(crate) enum Step {
    /// Row is fine.
    Ok,
    /// Row is bad; verification stops.
    Broken(i64, BreakReason),
    /// The `prev_hash` link is broken; the backend must look up which record
    /// (if any) carries `claimed_prev` and call [`Walker::resolve_link`].
    LinkBroken(LinkBreak),
}

/// Details of a broken `prev_hash` link, pending a lookup.
pub(crate) struct LinkBreak {
    pub seq: i64,
    pub claimed_prev: String,
    pub stored_hash: String,
    pub computed_hash: String,
}

/// Walks rows in seq order and checks the chain incrementally.
pub(crate) struct Walker {
    next_seq: i64,
    prev_hash: String,
    versions: HashMap<String, i64>,
}

impl Walker {
    pub fn new() -> Self {
        Walker {
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
            versions: HashMap::new(),
        }
    }

    /// Checks one row (`decoded` is the row decoded, or why it cannot be).
    pub fn step(&mut self, seq: i64, decoded: Result<StoredEvent, String>) -> Step {
        if seq != self.next_seq {
            return Step::Broken(
                self.next_seq,
                BreakReason::MissingRecord {
                    expected_seq: self.next_seq,
                    found_seq: Some(seq),
                },
            );
        }
        let ev = match decoded {
            Ok(ev) => ev,
            Err(detail) => return Step::Broken(seq, BreakReason::Undecodable { detail }),
        };
        let computed = ev.compute_hash();
        if ev.prev_hash != self.prev_hash {
            return Step::LinkBroken(LinkBreak {
                seq,
                claimed_prev: ev.prev_hash,
                stored_hash: ev.hash,
                computed_hash: computed,
            });
        }
        if computed != ev.hash {
            return Step::Broken(
                seq,
                BreakReason::HashMismatch {
                    stored_hash: ev.hash,
                    computed_hash: computed,
                },
            );
        }
        let expected_version = self.versions.get(&ev.stream).copied().unwrap_or(0) + 1;
        if ev.stream_version != expected_version {
            return Step::Broken(
                seq,
                BreakReason::StreamVersionGap {
                    stream: ev.stream,
                    expected: expected_version,
                    found: ev.stream_version,
                },
            );
        }
        self.versions.insert(ev.stream, ev.stream_version);
        self.prev_hash = ev.hash;
        self.next_seq += 1;
        Step::Ok
    }

    /// Classifies a broken link given the seq of the record whose hash equals
    /// the claimed predecessor hash (if any).
    pub fn resolve_link(brk: LinkBreak, holder: Option<i64>) -> (i64, BreakReason) {
        let reason = match holder {
            Some(linked_seq) if linked_seq != brk.seq => BreakReason::Reordered { linked_seq },
            _ if brk.stored_hash != brk.computed_hash => BreakReason::HashMismatch {
                stored_hash: brk.stored_hash,
                computed_hash: brk.computed_hash,
            },
            _ => BreakReason::PredecessorMissing {
                prev_hash: brk.claimed_prev,
            },
        };
        (brk.seq, reason)
    }

    /// Compares the walked log against the separately stored chain head.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> VerifyReport {
        let last_seq = self.next_seq - 1;
        if head_seq > last_seq {
            return VerifyReport::Broken {
                first_bad_seq: last_seq + 1,
                reason: BreakReason::MissingRecord {
                    expected_seq: last_seq + 1,
                    found_seq: None,
                },
            };
        }
        if head_seq != last_seq || head_hash != self.prev_hash {
            return VerifyReport::Broken {
                first_bad_seq: if head_seq < last_seq {
                    head_seq + 1
                } else {
                    head_seq.max(1)
                },
                reason: BreakReason::HeadMismatch {
                    head_seq,
                    head_hash: head_hash.to_string(),
                    last_seq,
                    last_hash: self.prev_hash,
                },
            };
        }
        VerifyReport::Intact {
            events: last_seq,
            head_hash: self.prev_hash,
        }
    }
}
