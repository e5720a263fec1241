//! Folding the log's tail into the world, the read models and the stored policies.
//!
//! Decoding and applying run in turn on the caller's thread while the database builds the next
//! range on its own ([`EventLog::replay`]). Decoding on a third thread was measured slower on
//! two cores: the decoded events (about a kilobyte each) moved between threads and freed on
//! another thread than the one that allocated them cost more than the overlap saved.

use guohe_domain::Event;
use guohe_store::{EventLog, ReplayEvent};

use crate::{AppError, Inner, is_domain_stream, load_calendar, stored_policy};

/// Folds in what the log holds beyond `inner.last_seq` (world, read models, stored policies, and
/// the calendar when a schedule changed).
pub(crate) async fn catch_up_log(log: &EventLog, inner: &mut Inner) -> Result<(), AppError> {
    if inner.last_seq == 0 {
        // From the start every base is noted: one rebuild at the end gives the same view
        // without collecting a million dirty ids first.
        inner.views.reset();
    }
    let mut calendar_changed = false;
    let world = &mut inner.world;
    let stored_policies = &mut inner.stored_policies;
    let views = &mut inner.views;
    let last = log
        .replay(inner.last_seq, |e: ReplayEvent<'_>| -> Result<(), AppError> {
            if e.stream.starts_with("calendar/") {
                calendar_changed = true;
            }
            if e.stream.starts_with(stored_policy::POLICY_STREAM_PREFIX) {
                stored_policy::fold_event(stored_policies, &e)?;
            }
            if is_domain_stream(e.stream) {
                let ev = Event::from_json_parts(e.stream, e.occurred_on, e.actor, e.articles, e.kind, e.payload)
                    .map_err(|err| AppError::Corrupt(format!("event {}: {err}", e.seq)))?;
                world.apply(&ev);
                views.note(world, &ev);
            }
            Ok(())
        })
        .await;
    // Whatever was folded in before a failure is in the world: the view follows it.
    inner.views.sync(&inner.world);
    inner.last_seq = last?;
    if calendar_changed {
        inner.calendar = load_calendar(log).await?;
    }
    Ok(())
}
