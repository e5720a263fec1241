//! A replay range read straight from SQLite's rows.
//!
//! sqlx moves every row across threads (about ten microseconds an event), so replay asks for a
//! range of 10,000 events at a time. Asking SQLite to concatenate the range into one text
//! (`format` and `group_concat`) made it parse a format string and grow a buffer for every
//! row: about half of the reading thread's time at a million events. Here the pooled
//! connection's handle is locked out of sqlx's worker for the range, the rows are stepped
//! through with rusqlite on that handle, and each field is copied once, as SQLite holds it,
//! into the framed text that [`crate::range`] cuts (the same frames as before, so the cutting
//! and its tests are unchanged).

use std::ptr::NonNull;

use rusqlite::ffi::sqlite3;
use rusqlite::types::ValueRef;

use crate::StoreError;

/// The rows of a range, in order.
const RANGE_ROWS: &str = "SELECT seq, stream, kind, actor, occurred_on, articles, payload \
     FROM events WHERE seq > ?1 AND seq <= ?2 ORDER BY seq";

/// Bytes reserved a row before the first is read (a range's text grows from there).
const ROW_GUESS: usize = 512;

fn driver(e: rusqlite::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Io(std::io::Error::other(e)))
}

/// The framed text of the events after `after` up to `upto` (`None` when there are none), read
/// on `handle`.
///
/// # Safety
/// Nothing else may use `handle` until this returns: the caller holds sqlx's lock on it
/// (`SqliteConnection::lock_handle`) for the whole call.
pub(crate) unsafe fn framed_range(
    handle: NonNull<sqlite3>,
    after: i64,
    upto: i64,
) -> Result<Option<String>, StoreError> {
    // SAFETY: the caller keeps every other user off the handle for this call. The connection
    // made here does not own the handle (it will not close it) and is dropped before returning,
    // with the one statement it prepared.
    let db = unsafe { rusqlite::Connection::from_handle(handle.as_ptr()) }.map_err(driver)?;
    let mut stmt = db.prepare(RANGE_ROWS).map_err(driver)?;
    let mut rows = stmt.query([after, upto]).map_err(driver)?;
    let wanted = usize::try_from(upto.saturating_sub(after)).unwrap_or(0);
    let mut text = String::with_capacity(wanted.min(10_000).saturating_mul(ROW_GUESS));
    let mut seq_buf = itoa::Buffer::new();
    let mut n = 0usize;
    while let Some(row) = rows.next().map_err(driver)? {
        let seq: i64 = row.get(0).map_err(driver)?;
        let mut fields = [""; 6];
        for (i, field) in fields.iter_mut().enumerate() {
            *field = match row.get_ref(i + 1).map_err(driver)? {
                ValueRef::Text(bytes) => std::str::from_utf8(bytes).map_err(|e| StoreError::Corrupt {
                    seq,
                    detail: format!("column {} is not UTF-8: {e}", i + 1),
                })?,
                other => {
                    return Err(StoreError::Corrupt {
                        seq,
                        detail: format!("column {} holds {:?}, not text", i + 1, other.data_type()),
                    });
                }
            };
        }
        text.push_str(seq_buf.format(seq));
        for f in &fields {
            text.push(' ');
            text.push_str(seq_buf.format(f.len()));
        }
        text.push(':');
        for f in &fields {
            text.push_str(f);
        }
        n += 1;
    }
    Ok((n > 0).then_some(text))
}
