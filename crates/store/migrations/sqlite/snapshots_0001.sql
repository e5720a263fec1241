-- 快照 — snapshots of the world folded from the log, so that a server starts from the latest one
-- plus the events after it instead of replaying everything. A snapshot is never trusted on its
-- word: it names the seq and chain hash it covers and its body's SM3, and is used only when the
-- chain still holds that hash at that seq, the body still hashes to body_sm3 and, where the key
-- file has a checkpoint-signing key, the signature verifies under it.
CREATE TABLE snapshots (
    seq        INTEGER PRIMARY KEY,   -- the last event folded in
    chain_hash TEXT    NOT NULL,      -- that event's SM3 hash
    format     TEXT    NOT NULL,      -- e.g. guohe-world/1
    body_sm3   TEXT    NOT NULL,      -- SM3 of body
    created_at TEXT    NOT NULL,      -- RFC 3339, UTC
    signature  TEXT,                  -- SM2 over seq, chain_hash and body_sm3 (checkpoint key), if any
    body       TEXT    NOT NULL       -- JSON
);
