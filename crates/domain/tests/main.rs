//! The integration tests of `guohe-domain`, one module per topic, built as one test binary
//! (one link instead of one per file, and a fraction of the disk).

mod common;

mod draws;
mod fuzz_simulation;
mod hubei;
mod hunan;
mod national;
mod panels;
mod procedure;
mod properties;
mod reform;
mod register_facts;
mod simulation;
mod subsidies;
