-- Requests counted per key in fixed windows (the verification service's rate limit), shared by
-- every server on the database, so a client spreading its requests over several servers behind
-- one proxy still meets one limit. A window begins at the key's first request after the last
-- window ended; rows of ended windows are pruned by the servers.
CREATE TABLE IF NOT EXISTS rate_windows (
    scope        TEXT    NOT NULL,   -- e.g. verify
    key          TEXT    NOT NULL,   -- e.g. the client address
    window_start INTEGER  NOT NULL,   -- Unix milliseconds (UTC)
    count        INTEGER  NOT NULL,
    PRIMARY KEY (scope, key)
);
