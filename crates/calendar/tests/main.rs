//! The integration tests of `guohe-calendar`, one module per topic, built as one test binary
//! (one link instead of one per file: a fraction of the build's time and disk).

mod calendar;
mod properties;
mod schedule;
