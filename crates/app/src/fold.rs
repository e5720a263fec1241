//! Folding the log's tail into the world: events are decoded on one thread while the ones
//! before them are applied on another ([`EventLog::replay_decoded`]), so that a full replay at
//! start-up uses both cores.

use chrono::NaiveDate;
use guohe_domain::Event;
use guohe_store::{EventLog, ReplayEvent};

use crate::{AppError, Inner, is_domain_stream, load_calendar, stored_policy};

/// An event as the fold needs it.
enum Decoded {
    /// A case's event, decoded (boxed: an event is about a kilobyte, moved twice on its way).
    Domain(Box<Event>),
    /// A stored policy loaded or unloaded: folded from its stored parts.
    Policy(PolicyEvent),
    /// A holiday schedule changed: the calendar is read again after the fold.
    Calendar,
    /// Chained, not folded (audit records).
    Other,
}

struct PolicyEvent {
    seq: i64,
    stream: String,
    kind: String,
    actor: String,
    occurred_on: NaiveDate,
    payload: String,
}

impl PolicyEvent {
    fn as_replay(&self) -> ReplayEvent<'_> {
        ReplayEvent {
            seq: self.seq,
            stream: &self.stream,
            kind: &self.kind,
            actor: &self.actor,
            occurred_on: self.occurred_on,
            articles: &[],
            payload: &self.payload,
        }
    }
}

fn decode(e: ReplayEvent<'_>) -> Result<Decoded, AppError> {
    if e.stream.starts_with("calendar/") {
        return Ok(Decoded::Calendar);
    }
    if e.stream.starts_with(stored_policy::POLICY_STREAM_PREFIX) {
        return Ok(Decoded::Policy(PolicyEvent {
            seq: e.seq,
            stream: e.stream.to_string(),
            kind: e.kind.to_string(),
            actor: e.actor.to_string(),
            occurred_on: e.occurred_on,
            payload: e.payload.to_string(),
        }));
    }
    if !is_domain_stream(e.stream) {
        return Ok(Decoded::Other);
    }
    Event::from_json_parts(e.stream, e.occurred_on, e.actor, e.articles, e.kind, e.payload)
        .map(|ev| Decoded::Domain(Box::new(ev)))
        .map_err(|err| AppError::Corrupt(format!("event {}: {err}", e.seq)))
}

/// Folds in what the log holds beyond `inner.last_seq` (world, register, stored policies, and
/// the calendar when a schedule changed).
pub(crate) async fn catch_up_log(log: &EventLog, inner: &mut Inner) -> Result<(), AppError> {
    if inner.last_seq == 0 {
        // From the start every base is noted: one rebuild at the end gives the same view
        // without collecting a million dirty ids first.
        inner.register.reset();
    }
    let mut calendar_changed = false;
    let world = &mut inner.world;
    let stored_policies = &mut inner.stored_policies;
    let register = &mut inner.register;
    let last = log
        .replay_decoded(inner.last_seq, decode, |_, d: Decoded| -> Result<(), AppError> {
            match d {
                Decoded::Domain(ev) => {
                    world.apply(&ev);
                    register.note(world, &ev);
                }
                Decoded::Policy(p) => stored_policy::fold_event(stored_policies, &p.as_replay())?,
                Decoded::Calendar => calendar_changed = true,
                Decoded::Other => {}
            }
            Ok(())
        })
        .await;
    // Whatever was folded in before a failure is in the world: the view follows it.
    inner.register.sync(&inner.world);
    inner.last_seq = last?;
    if calendar_changed {
        inner.calendar = load_calendar(log).await?;
    }
    Ok(())
}
