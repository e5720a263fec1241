//! The integration tests of `guohe-web`, one module per topic, built as one test binary
//! (one link instead of one per file, and a fraction of the disk).

mod api_common;
mod common;
mod e2e;
#[path = "../../policy/tests/fuzz_support/mod.rs"]
mod fuzz_support;
mod otp_support;
mod pages_support;

mod administration;
mod api_commands;
mod api_draws;
mod api_lists;
mod api_openapi;
mod api_session;
mod authz_matrix;
mod demo_date;
mod demo_snapshot;
mod dept_application_list;
mod dept_due;
mod dept_pages;
mod documents_pages;
mod draws_pages;
mod e2e_browser;
mod forms_bad_input;
mod fuzz_api;
mod fuzz_forms;
mod import_pages;
mod national_pages;
mod notifications;
mod pages_flow;
mod panels_pages;
mod personal_data;
mod policy_expiry;
mod portal;
mod province;
mod public;
mod public_forms;
mod role_application_lists;
mod security;
mod server_passes;
mod session_memo;
mod signin;
mod stats_pages;
mod subsidies_pages;
mod verify;
