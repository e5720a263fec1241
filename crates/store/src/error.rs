//! Errors returned by the event log.

/// Everything that can go wrong when talking to the event log.
///
/// The [`Display`](std::fmt::Display) text of every variant is safe to show to
/// end users: it never contains SQL, connection strings or passwords. The
/// underlying driver error of [`StoreError::Database`] is kept as the
/// [`source`](std::error::Error::source) for logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Optimistic concurrency check failed: the stream has moved on since the
    /// caller read it. Nothing was written.
    #[error("stream {stream} is at version {actual}, expected version {expected}")]
    Conflict {
        /// The stream whose version did not match.
        stream: String,
        /// The version the caller expected.
        expected: i64,
        /// The version actually found in the log.
        actual: i64,
    },
    /// The database failed or could not be reached.
    #[error("the event store database is unavailable or failed")]
    Database(#[source] sqlx::Error),
    /// A stored row cannot be decoded into an event.
    #[error("stored event {seq} cannot be decoded: {detail}")]
    Corrupt {
        /// Global sequence number of the offending row.
        seq: i64,
        /// What could not be decoded.
        detail: String,
    },
    /// The connection URL is not understood.
    #[error("invalid event store URL: {reason}")]
    InvalidUrl {
        /// Why the URL was rejected (the URL itself is not repeated, it may hold a password).
        reason: String,
    },
    /// The caller supplied an event or argument the log refuses to store.
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What is wrong with the input.
        reason: String,
    },
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        StoreError::Database(err)
    }
}

/// `true` if the error is a unique-constraint violation reported by the database.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error().is_some_and(|db| db.is_unique_violation())
}
