-- Key material for personal information (个人信息), beside the event log.
-- The master key itself is never stored here: it lives in the key file outside
-- the database. These tables hold only what is encrypted under it.
-- Kept apart from the event log's own schema version. Times are Unix seconds (UTC).

-- One row: SM4-GCM encryption of a fixed block under the master key, so a wrong
-- key file is detected at start instead of silently writing with a new key.
CREATE TABLE key_check (
    id             BIGINT  PRIMARY KEY CHECK (id = 1),
    master_version BIGINT  NOT NULL,
    check_value    TEXT    NOT NULL,   -- base64 of nonce || ciphertext || tag
    created_at     BIGINT  NOT NULL
);

-- One data key per person (subject), wrapped (SM4-GCM) under the master key.
-- Erasing a person deletes the wrapped key and keeps a tombstone: the tokens on
-- the hash chain stay in place but can never be decrypted again.
CREATE TABLE subject_keys (
    subject        TEXT    PRIMARY KEY,   -- e.g. objector/3f9a…, account/zhang
    kind           TEXT    NOT NULL,      -- objector, account, expert
    master_version BIGINT,               -- NULL once erased
    wrapped_key    TEXT,                  -- base64; NULL once erased
    created_at     BIGINT  NOT NULL,
    erased_at      BIGINT
);

-- Personal fields of accounts (手机号、电子邮箱、身份证号), each a `pii:v1:` token
-- encrypted under the data key of subject account/<login>.
CREATE TABLE account_personal (
    login      TEXT    NOT NULL,
    field      TEXT    NOT NULL CHECK (field IN ('phone', 'email', 'id_number')),
    token      TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (login, field)
);
