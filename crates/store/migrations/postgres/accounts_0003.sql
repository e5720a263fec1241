-- Provinces and separated administrator duties.
-- Every account belongs to a province (the GB/T 2260 two-digit code of the
-- policies it works under); administrators (三权分立) are roles of their own;
-- a password set by someone else must be changed at the next sign-in.
ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check CHECK (role IN (
    'department', 'recommender', 'support_unit', 'expert', 'system_admin', 'security_admin', 'audit_admin'));
ALTER TABLE accounts ADD COLUMN province TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE accounts SET province = substr(org_id, 3, 2) WHERE role = 'support_unit' AND org_id IS NOT NULL;
CREATE INDEX accounts_province_role ON accounts (province, role);

ALTER TABLE organisations ADD COLUMN province TEXT NOT NULL DEFAULT '';
UPDATE organisations SET province = substr(region_prefixes::json->>0, 1, 2)
 WHERE json_array_length(region_prefixes::json) > 0;

-- An expert's professional profile (title, unit name, domains) as JSON; a support unit that
-- registered itself waits for its province's department (pending_approval).
ALTER TABLE accounts ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
ALTER TABLE accounts ADD COLUMN pending_approval BOOLEAN NOT NULL DEFAULT FALSE;

-- The security administrator's settings (password expiry, lock-out), one row per key.
CREATE TABLE security_settings (
    key        TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT   NOT NULL
);
