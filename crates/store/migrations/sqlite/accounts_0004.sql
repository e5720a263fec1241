-- Sign-in throttling, second factors (TOTP, RFC 6238), one-time recovery codes, flash
-- messages and limits on public forms. Times are Unix seconds (UTC).

-- Failed sign-ins counted per scope: 'account' (login as typed, lower-cased), 'client'
-- (client IP) and 'pair' (login and client IP). Shared by every server on the database.
CREATE TABLE IF NOT EXISTS login_throttle (
    scope        TEXT    NOT NULL CHECK (scope IN ('account', 'client', 'pair')),
    key          TEXT    NOT NULL,
    login        TEXT    NOT NULL,   -- the login as typed ('' for the client scope), for unlocking
    failures     INTEGER  NOT NULL,
    last_failure INTEGER  NOT NULL,
    prev_failure INTEGER,           -- the failure before the last, to tell concurrent attempts apart
    PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS login_throttle_login ON login_throttle (login);

-- 双因素 — one TOTP secret per account; confirmed_at is NULL until the owner has proved with a
-- code that the authenticator holds it. last_step is the highest time step accepted, so a code
-- cannot be used twice.
CREATE TABLE IF NOT EXISTS second_factors (
    login        TEXT    PRIMARY KEY REFERENCES accounts (login) ON DELETE CASCADE,
    secret       TEXT    NOT NULL,   -- base32 (RFC 4648, no padding)
    created_at   INTEGER  NOT NULL,
    confirmed_at INTEGER,
    last_step    INTEGER
);

-- One-time recovery codes, stored only as SM3 digests.
CREATE TABLE IF NOT EXISTS recovery_codes (
    login      TEXT    NOT NULL REFERENCES accounts (login) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    created_at INTEGER  NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (login, code_hash)
);

-- Flash messages: shown once on the next page. The key is the SM3 digest of a session id or of
-- a random cookie; the texts are composed by the server, never taken from a request.
CREATE TABLE IF NOT EXISTS flashes (
    key_digest TEXT    PRIMARY KEY,
    text_zh    TEXT    NOT NULL,
    text_en    TEXT    NOT NULL,
    expires_at INTEGER  NOT NULL
);

-- Counters of public form submissions (e.g. objections per client per notice per day).
CREATE TABLE IF NOT EXISTS form_limits (
    scope   TEXT    NOT NULL,   -- e.g. objection
    key     TEXT    NOT NULL,   -- e.g. client IP and notice id
    day     TEXT    NOT NULL,   -- YYYY-MM-DD
    count   INTEGER  NOT NULL,
    PRIMARY KEY (scope, key, day)
);
