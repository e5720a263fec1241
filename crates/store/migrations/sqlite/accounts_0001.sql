-- Accounts, recommender organisations and server-side sessions (web sign-in).
-- Kept apart from the event log's own schema version: the log's migrations
-- never depend on these tables. Times are Unix seconds (UTC).
CREATE TABLE organisations (
    id              TEXT    PRIMARY KEY,   -- e.g. rec-changsha
    name            TEXT    NOT NULL,      -- 长沙市科学技术局
    kind            TEXT    NOT NULL,      -- recommender
    region_prefixes TEXT    NOT NULL,      -- JSON array of GB/T 2260 prefixes, e.g. ["4301"]
    unit_usccs      TEXT    NOT NULL,      -- JSON array of explicit unit USCCs
    created_at      INTEGER NOT NULL
);

CREATE TABLE accounts (
    login               TEXT    PRIMARY KEY,
    display_name        TEXT    NOT NULL,
    role                TEXT    NOT NULL CHECK (role IN ('department', 'recommender', 'support_unit', 'expert')),
    org_id              TEXT,               -- USCC, recommender id or expert's unit USCC
    password_hash       TEXT    NOT NULL,   -- PHC string (Argon2id)
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        INTEGER,
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);

-- Only the SM3 digest of a session id is stored, so a copy of the table
-- cannot be replayed as live cookies.
CREATE TABLE sessions (
    id_digest  TEXT    PRIMARY KEY,
    login      TEXT    NOT NULL REFERENCES accounts (login) ON DELETE CASCADE,
    csrf_token TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    client_ip  TEXT    NOT NULL,
    user_agent TEXT    NOT NULL
);
CREATE INDEX sessions_login ON sessions (login);
CREATE INDEX sessions_last_seen ON sessions (last_seen);
