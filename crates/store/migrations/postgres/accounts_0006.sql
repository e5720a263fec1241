-- Self-registrations waiting for their province's department, oldest first
-- (AccountStore::pending_registrations): read through this index, not by reading every account.
CREATE INDEX IF NOT EXISTS accounts_pending ON accounts (province, created_at, login) WHERE pending_approval;
