-- Provinces and separated administrator duties.
-- Every account belongs to a province (the GB/T 2260 two-digit code of the
-- policies it works under); administrators (三权分立) are roles of their own;
-- a password set by someone else must be changed at the next sign-in.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt.
-- Live sessions end with it (the rebuild deletes them through the cascade).
CREATE TABLE accounts_new (
    login                TEXT    PRIMARY KEY,
    display_name         TEXT    NOT NULL,
    role                 TEXT    NOT NULL CHECK (role IN ('department', 'recommender', 'support_unit', 'expert',
                                                          'system_admin', 'security_admin', 'audit_admin')),
    org_id               TEXT,
    password_hash        TEXT    NOT NULL,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         INTEGER,
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    created_at           INTEGER NOT NULL,
    password_changed_at  INTEGER NOT NULL,
    province             TEXT    NOT NULL DEFAULT '',
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO accounts_new (login, display_name, role, org_id, password_hash, failed_logins, locked_until, active,
                          created_at, password_changed_at, province)
SELECT login, display_name, role, org_id, password_hash, failed_logins, locked_until, active,
       created_at, password_changed_at,
       CASE WHEN role = 'support_unit' AND org_id IS NOT NULL THEN substr(org_id, 3, 2) ELSE '' END
FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;
CREATE INDEX accounts_province_role ON accounts (province, role);

ALTER TABLE organisations ADD COLUMN province TEXT NOT NULL DEFAULT '';
UPDATE organisations SET province = substr(json_extract(region_prefixes, '$[0]'), 1, 2)
 WHERE json_array_length(region_prefixes) > 0;

-- An expert's professional profile (title, unit name, domains) as JSON; a support unit that
-- registered itself waits for its province's department (pending_approval).
ALTER TABLE accounts ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
ALTER TABLE accounts ADD COLUMN pending_approval BOOLEAN NOT NULL DEFAULT FALSE;

-- The security administrator's settings (password expiry, lock-out), one row per key.
CREATE TABLE security_settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL
);
