//! Output formats shared by the commands.

use clap::ValueEnum;

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Readable text, Chinese first.
    #[default]
    Text,
    /// JSON for other systems.
    Json,
    /// CSV (lists only).
    Csv,
}

/// Prints a value as pretty JSON.
pub fn print_json<T: serde::Serialize>(v: &T) -> Result<(), crate::Failure> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}
