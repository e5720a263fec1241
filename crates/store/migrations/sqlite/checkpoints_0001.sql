-- 签名检查点 — signed checkpoints of the hash chain. Each row is the chain head (seq, hash)
-- signed with the SM2 key held in the key file, outside the database. A row can be deleted by
-- anyone with database access, but never forged without the key: exported copies
-- (guohe audit checkpoint export) prove what the chain held.
CREATE TABLE checkpoints (
    seq         INTEGER PRIMARY KEY,   -- the last event covered
    head_hash   TEXT    NOT NULL,      -- its SM3 hash (hex)
    signed_at   TEXT    NOT NULL,      -- RFC 3339, UTC
    key_version INTEGER NOT NULL,
    public_key  TEXT    NOT NULL,      -- SM2, SEC 1 uncompressed, hex
    signature   TEXT    NOT NULL       -- r || s, hex
);
