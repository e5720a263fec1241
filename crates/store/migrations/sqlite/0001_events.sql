-- Append-only, hash-chained event log.
CREATE TABLE events (
    seq            INTEGER PRIMARY KEY,   -- global, 1-based, gapless
    stream         TEXT    NOT NULL,
    stream_version INTEGER NOT NULL,      -- 1-based within stream
    kind           TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    occurred_on    TEXT    NOT NULL,      -- YYYY-MM-DD
    recorded_at    TEXT    NOT NULL,      -- RFC 3339, UTC, microseconds, 'Z'
    articles       TEXT    NOT NULL,      -- JSON array of strings
    payload        TEXT    NOT NULL,      -- canonical JSON, exactly as hashed
    prev_hash      TEXT    NOT NULL,      -- hex SM3 of predecessor
    hash           TEXT    NOT NULL       -- hex SM3 of this record
);

-- Backstop for optimistic concurrency.
CREATE UNIQUE INDEX events_stream_version ON events (stream, stream_version);

-- The chain head, updated in the same transaction as every append, so that
-- deleting the last record(s) is detectable.
CREATE TABLE chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Refuse accidental modification through the normal SQL path. (A determined
-- attacker can drop these; the hash chain is what detects tampering.)
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

-- Holiday schedules loaded by an administrator (one CSV per year). Every load
-- is also appended to the event log (stream calendar/<year>).
CREATE TABLE holiday_schedules (
    year      INTEGER PRIMARY KEY,
    csv_text  TEXT    NOT NULL,
    loaded_by TEXT    NOT NULL,
    loaded_at TEXT    NOT NULL,
    event_seq INTEGER NOT NULL
);
