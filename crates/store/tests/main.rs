//! The integration tests of `guohe-store`, one module per topic, built as one test binary
//! (one link instead of one per file, and a fraction of the disk).

#[macro_use]
mod support;

mod accounts;
mod appends;
mod batches;
mod event_log;
mod pool;
mod replay;
mod signin;
