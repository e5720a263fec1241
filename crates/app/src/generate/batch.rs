//! Many commands and clock ticks decided in order and appended in one transaction.
//!
//! Each step is decided exactly as [`Guohe::execute`] and [`Guohe::tick`] decide it — by the
//! domain's `handle` and `tick` against the world with the steps before it already applied — so
//! the events are the same; only the append is shared, which saves a transaction (and on SQLite a
//! `synchronous=FULL` sync) per command. All or nothing: a refused step leaves nothing written.

use chrono::NaiveDate;
use guohe_domain::{Actor, Command, Ctx, Refusal, World};

use crate::{AppError, Batch, Guohe, Inner, batch_at_versions};

/// One step of a batch.
#[derive(Debug, Clone)]
pub enum Step {
    /// A command by an actor on a business date.
    Command {
        /// Who.
        actor: Actor,
        /// Business date.
        on: NaiveDate,
        /// What.
        command: Box<Command>,
    },
    /// Advance the clock to a date (what fell due is applied).
    Tick(NaiveDate),
}

/// Why a batch was not appended; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A step was refused by the rules.
    #[error("step {step} ({what}) refused: {refusal}")]
    Refused {
        /// Index of the step in the batch.
        step: usize,
        /// The command's type, or `tick`.
        what: String,
        /// The refusal.
        refusal: Box<Refusal>,
    },
    /// The command needs the application service's own path (personal data to seal).
    #[error("step {step}: {what} cannot be batched; give it to Guohe::execute")]
    NotBatchable {
        /// Index of the step.
        step: usize,
        /// The command's type.
        what: String,
    },
    /// The database, or a conflict with another writer.
    #[error(transparent)]
    App(#[from] AppError),
}

fn kind_of(c: &Command) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
        .unwrap_or_else(|| "command".into())
}

impl Guohe {
    /// Decides `steps` in order, each against the world with the previous ones applied, and
    /// appends all their events in one transaction. Returns how many events were appended.
    /// Refused with the first refusal (and its step) or a conflict, nothing written; the world
    /// is then rebuilt from the log. A real-name objection (`LodgeObjection`) is not batched:
    /// its personal data is sealed by [`Guohe::execute`].
    pub async fn execute_batch(&self, steps: Vec<Step>) -> Result<usize, BatchError> {
        let mut inner = self.inner.write().await;
        self.catch_up(&mut inner).await?;
        let policies = self.policies();
        let start_seq = inner.last_seq;
        let mut batch: Batch = Vec::new();
        let mut count = 0usize;
        let mut failure = None;
        for (i, step) in steps.into_iter().enumerate() {
            let decided = match step {
                Step::Command { actor, on, command } => {
                    if matches!(*command, Command::LodgeObjection(_)) {
                        failure = Some(BatchError::NotBatchable {
                            step: i,
                            what: kind_of(&command),
                        });
                        break;
                    }
                    let what = kind_of(&command);
                    let ctx = Ctx {
                        policies,
                        calendar: &inner.calendar,
                        actor,
                        today: on,
                    };
                    guohe_domain::handle(&inner.world, &ctx, *command).map_err(|r| (what, r))
                }
                Step::Tick(to) => {
                    let ctx = Ctx {
                        policies,
                        calendar: &inner.calendar,
                        actor: Actor::system(),
                        today: to,
                    };
                    guohe_domain::tick(&inner.world, &ctx, to).map_err(|r| ("tick".to_string(), r))
                }
            };
            match decided {
                Ok(events) => {
                    batch.extend(batch_at_versions(&inner.world, &events));
                    let inner = &mut *inner;
                    for e in &events {
                        inner.world.apply(e);
                        inner.views.note(&inner.world, e);
                    }
                    count += events.len();
                }
                Err((what, refusal)) => {
                    failure = Some(BatchError::Refused {
                        step: i,
                        what,
                        refusal: Box::new(refusal),
                    });
                    break;
                }
            }
        }
        if let Some(f) = failure {
            self.rebuild(&mut inner).await?;
            return Err(f);
        }
        if batch.is_empty() {
            return Ok(0);
        }
        match self.log.append_many(batch).await {
            Ok(stored) => {
                let (first, last) = match (stored.first(), stored.last()) {
                    (Some(f), Some(l)) => (f.seq, l.seq),
                    _ => return Ok(0),
                };
                if first == start_seq + 1 {
                    // The world already holds these events, folded in the order appended.
                    inner.last_seq = last;
                    let inner = &mut *inner;
                    inner.views.sync(&inner.world);
                } else {
                    // Another writer appended in between: fold the log in its own order.
                    self.rebuild(&mut inner).await?;
                }
                Ok(count)
            }
            Err(e) => {
                self.rebuild(&mut inner).await?;
                Err(match e {
                    guohe_store::StoreError::Conflict { stream, .. } => AppError::Conflict { stream }.into(),
                    other => AppError::Store(other).into(),
                })
            }
        }
    }

    /// Replays the whole log into a fresh world (after a batch that was not appended).
    async fn rebuild(&self, inner: &mut Inner) -> Result<(), AppError> {
        inner.world = World::new();
        inner.views.reset();
        inner.last_seq = 0;
        inner.stored_policies.clear();
        self.catch_up(inner).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use guohe_policy::PolicySet;

    fn open_round(id: &str, opens: &str) -> Box<Command> {
        Box::new(
            serde_json::from_value(
                serde_json::json!({"type": "OpenRound", "id": id, "policy": "hubei-2022",
                "title": "2026年度湖北省国际科技合作基地申报", "opens_on": opens, "closes_on": "2026-04-30"}),
            )
            .unwrap(),
        )
    }

    #[tokio::test]
    async fn a_batch_is_decided_in_order_and_appended_whole_or_not_at_all() {
        let g = Guohe::open("sqlite::memory:", PolicySet::default()).await.unwrap();
        let on = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let dept = Actor::department("hb-dept");
        // The second OpenRound of the same id is refused against the world the first one made.
        let refused = g
            .execute_batch(vec![
                Step::Tick(on),
                Step::Command {
                    actor: dept.clone(),
                    on,
                    command: open_round("HB-2026", "2026-03-01"),
                },
                Step::Command {
                    actor: dept.clone(),
                    on,
                    command: open_round("HB-2026", "2026-03-01"),
                },
            ])
            .await;
        assert!(
            matches!(refused, Err(BatchError::Refused { step: 2, .. })),
            "{refused:?}"
        );
        assert_eq!(g.log().head().await.unwrap(), None, "nothing written");
        assert!(
            g.read(|w, _, _| w.round("HB-2026").is_none() && w.clock().is_none())
                .await
        );

        // Hubei 第十三条: the round opens, as `execute` would open it; the world follows the log.
        let n = g
            .execute_batch(vec![
                Step::Tick(on),
                Step::Command {
                    actor: dept,
                    on,
                    command: open_round("HB-2026", "2026-03-01"),
                },
            ])
            .await
            .unwrap();
        let head = g.log().head().await.unwrap().map(|(seq, _)| seq);
        assert_eq!(head, Some(n as i64));
        assert!(
            g.read(|w, _, _| w.round("HB-2026").is_some() && w.clock() == Some(on))
                .await
        );
    }
}
