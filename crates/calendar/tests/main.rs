//! The integration tests of `guohe-calendar`, one module per topic, built as one test binary
//! (one link instead of one per file, and a fraction of the disk).

mod calendar;
mod properties;
mod schedule;
