-- Notifications: each account's inbox, the mail outbox (the same rows) and the
-- event log cursor of the notifier. The address a mail goes to is not kept here:
-- it is the account's e-mail field, sealed in account_personal.
-- Kept apart from the event log's and the accounts' schema versions
-- (notify_schema_version). Times are Unix seconds (UTC).
--
-- `key` is the reminder's deterministic key plus the recipient's login, e.g.
-- `annual_report:base/HN-2026-01:2026:d-7:hn-xjsw`: several servers that compute
-- the same reminder insert it once (INSERT … ON CONFLICT DO NOTHING).
CREATE TABLE notify_messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    key             TEXT    NOT NULL UNIQUE,
    login           TEXT    NOT NULL,
    kind            TEXT    NOT NULL,   -- annual_report, evaluation_due, …
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    link            TEXT    NOT NULL,   -- path in the web application
    due_on          TEXT,               -- ISO date the reminder is about
    created_at      INTEGER NOT NULL,
    read_at         INTEGER,
    -- none: inbox only; pending: to send (at next_attempt_at); sending: claimed by
    -- claimed_by; sent; failed: given up (last_error says why).
    mail_state      TEXT    NOT NULL CHECK (mail_state IN ('none', 'pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    claimed_by      TEXT,
    claimed_at      INTEGER,
    last_error      TEXT,
    sent_at         INTEGER
);
CREATE INDEX notify_messages_inbox ON notify_messages (login, id);
CREATE INDEX notify_messages_outbox ON notify_messages (mail_state, next_attempt_at);

-- How far the event log has been read for event-driven messages.
CREATE TABLE notify_cursor (
    name TEXT    PRIMARY KEY,
    seq  INTEGER NOT NULL
);
