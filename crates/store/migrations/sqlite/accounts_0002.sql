-- Application drafts of support units and the PDF attachments uploaded with them.
-- Drafts are working copies, not records: the submitted facts go on the event log.
-- Times are Unix seconds (UTC).
CREATE TABLE drafts (
    owner      TEXT    NOT NULL,   -- the unit's USCC
    id         TEXT    NOT NULL,   -- draft id, unique per owner
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,   -- the form's data as JSON
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (owner, id)
);

CREATE TABLE draft_files (
    id         TEXT    PRIMARY KEY,
    owner      TEXT    NOT NULL,
    draft      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,   -- what it proves, e.g. management_systems
    file_name  TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    sm3        TEXT    NOT NULL,   -- digest of the content, quoted in the submitted facts
    content    BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX draft_files_owner ON draft_files (owner, draft);
