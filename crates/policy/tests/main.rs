//! The integration tests of `guohe-policy`, one module per topic, built as one test binary
//! (one link instead of one per file, and a fraction of the disk).

mod common;
mod fuzz_support;

mod arithmetic;
mod bad_input;
mod bulk;
mod coverage;
mod diff;
mod fuzz_facts;
mod fuzz_policy;
mod hubei_2022;
mod hunan_2026;
mod policy_files;
mod schema;
