-- Append-only, hash-chained event log.
CREATE TABLE events (
    seq            BIGINT      PRIMARY KEY,  -- global, 1-based, gapless
    stream         TEXT        NOT NULL,
    stream_version BIGINT      NOT NULL,     -- 1-based within stream
    kind           TEXT        NOT NULL,
    actor          TEXT        NOT NULL,
    occurred_on    DATE        NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,     -- microsecond precision, round-trips exactly
    articles       JSON        NOT NULL,     -- JSON keeps the text verbatim (JSONB would not)
    payload        JSON        NOT NULL,     -- canonical JSON, exactly as hashed
    prev_hash      TEXT        NOT NULL,     -- hex SM3 of predecessor
    hash           TEXT        NOT NULL      -- hex SM3 of this record
);

-- Backstop for optimistic concurrency.
CREATE UNIQUE INDEX events_stream_version ON events (stream, stream_version);

-- The chain head; appends lock this row (SELECT ... FOR UPDATE), which
-- serialises writers globally, and update it in the same transaction.
CREATE TABLE chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT  NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Refuse accidental modification through the normal SQL path. (A determined
-- attacker can drop this; the hash chain is what detects tampering.)
CREATE FUNCTION guohe_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
FOR EACH ROW EXECUTE FUNCTION guohe_events_append_only();

-- Holiday schedules loaded by an administrator (one CSV per year). Every load
-- is also appended to the event log (stream calendar/<year>).
CREATE TABLE holiday_schedules (
    year      INTEGER     PRIMARY KEY,
    csv_text  TEXT        NOT NULL,
    loaded_by TEXT        NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL,
    event_seq BIGINT      NOT NULL
);
