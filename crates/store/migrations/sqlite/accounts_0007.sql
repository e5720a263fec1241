-- A province's experts (AccountStore::experts_of_province: the pool of a draw, the experts a
-- department assigns) and the accounts locked now (the security administrator's page): each read
-- through an index of its own, not by reading every account.
CREATE INDEX IF NOT EXISTS accounts_experts ON accounts (province, login) WHERE role = 'expert';
CREATE INDEX IF NOT EXISTS accounts_locked ON accounts (locked_until) WHERE locked_until IS NOT NULL;
