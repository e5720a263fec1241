//! The integration tests of `guohe` (the command line), one module per topic, built as one test
//! binary (one link instead of one per file, and a fraction of the disk).

#[path = "../../web/tests/api_common/mod.rs"]
mod api_common;
#[path = "../../web/tests/common/mod.rs"]
mod common;
#[path = "../../web/tests/otp_support/mod.rs"]
mod otp_support;
mod servers;

mod backup;
mod cli_account;
mod cli_audit;
mod cli_documents;
mod cli_draws;
mod cli_generate;
mod cli_import_export;
mod cli_keys;
mod cli_lifecycle;
mod cli_national;
mod cli_notify;
mod cli_panels;
mod cli_policy;
mod cli_policy_store;
mod cli_reform;
mod cli_stats;
mod cli_subsidies;
mod cli_verify;
mod new_deployment;
mod two_servers;
mod two_servers_writes;
