//! Test support: an SMTP receiver on loopback and fresh PostgreSQL databases.
#![allow(dead_code)]

pub mod pg;
pub mod smtp;
