//! The integration tests of `guohe-app`, one module per topic, built as one test binary
//! (one link instead of one per file, and a fraction of the disk).

mod common;

mod checkpoints;
mod due;
mod fuzz_import;
mod import_accounts;
mod import_export;
mod import_statuses;
mod lifecycle;
mod personal;
mod snapshots;
mod stored_policy;
