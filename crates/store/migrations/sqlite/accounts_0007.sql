-- Accounts read through indexes of their own, not by reading every account (a country holds one
-- support-unit account per base):
-- a province's accounts of a role (AccountStore::experts_of_province: the pool of a draw, the
-- experts a department assigns; the administrator's list filtered by role);
CREATE INDEX IF NOT EXISTS accounts_role ON accounts (role, province, login);
-- the accounts locked now (AccountStore::locked_accounts, the security administrator's page);
CREATE INDEX IF NOT EXISTS accounts_locked ON accounts (locked_until) WHERE locked_until IS NOT NULL;
-- a province's accounts in login order, and their count (AccountStore::account_page).
CREATE INDEX IF NOT EXISTS accounts_province ON accounts (province, login);
