//! 推演 — runs a timeline of commands and clock ticks from an empty world.
//! The JSON format is described in `SIMULATION.md`.

use chrono::NaiveDate;
use guohe_calendar::Calendar;
use guohe_policy::PolicySet;
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::command::Command;
use crate::event::Event;
use crate::handle::{Ctx, handle};
use crate::refusal::Refusal;
use crate::state::World;
use crate::tick::tick;

/// A timeline: steps in date order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Before each command, advance the clock to its date (default true), so deadlines that fell
    /// due in between take effect first.
    #[serde(default = "yes")]
    pub auto_tick: bool,
    /// The steps.
    pub steps: Vec<Step>,
}

fn yes() -> bool {
    true
}

/// One step: a command by an actor on a date, or a clock tick.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Step {
    /// `{"on": "2026-03-01", "as": "dept:zhang", "command": {"type": "OpenRound", ...}}`.
    Command {
        /// Business date.
        on: NaiveDate,
        /// Actor, `role:name`.
        #[serde(rename = "as")]
        actor: String,
        /// The command.
        command: Box<Command>,
        /// The refusal code this step is expected to meet (`"any"` for any refusal).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect_refusal: Option<String>,
        /// A note for readers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// `{"tick": "2027-01-16"}`.
    Tick {
        /// Advance the clock to this date.
        tick: NaiveDate,
        /// A note for readers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandStep {
    on: NaiveDate,
    #[serde(rename = "as")]
    actor: String,
    command: Command,
    #[serde(default)]
    expect_refusal: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TickStep {
    tick: NaiveDate,
    #[serde(default)]
    note: Option<String>,
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read through `Value`: derived untagged enums cannot read numbers under
        // serde_json's arbitrary_precision.
        let v = serde_json::Value::deserialize(d)?;
        let is_tick = v.get("tick").is_some();
        if is_tick {
            let t: TickStep = serde_json::from_value(v).map_err(serde::de::Error::custom)?;
            Ok(Step::Tick {
                tick: t.tick,
                note: t.note,
            })
        } else {
            let c: CommandStep = serde_json::from_value(v).map_err(serde::de::Error::custom)?;
            Ok(Step::Command {
                on: c.on,
                actor: c.actor,
                command: Box::new(c.command),
                expect_refusal: c.expect_refusal,
                note: c.note,
            })
        }
    }
}

impl Timeline {
    /// Reads a timeline from JSON.
    pub fn from_json(text: &str) -> Result<Timeline, SimulationError> {
        serde_json::from_str(text).map_err(|e| SimulationError::Parse(e.to_string()))
    }
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepOutcome {
    /// Step index (0-based).
    pub step: usize,
    /// `accepted` (a command that produced its events), `refused` (a command refused as the
    /// step expected) or `ticked` (a clock tick).
    pub outcome: &'static str,
    /// Events it produced (ticks before a command included).
    pub events: usize,
    /// The expected refusal it met, with its code, article and messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Refusal>,
}

/// The outcome of a simulation.
#[derive(Debug, Clone)]
pub struct SimulationResult {
    /// Every event, in order.
    pub events: Vec<Event>,
    /// The world at the end.
    pub world: World,
    /// One outcome per step.
    pub outcomes: Vec<StepOutcome>,
}

/// Why a simulation stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimulationError {
    /// The timeline is not valid JSON of the expected shape.
    #[error("timeline: {0}")]
    Parse(String),
    /// An actor is not `role:name`.
    #[error("step {step}: {message}")]
    Actor {
        /// Step index.
        step: usize,
        /// What is wrong.
        message: String,
    },
    /// A step was refused without being expected to.
    #[error("step {step} refused: {refusal}")]
    Refused {
        /// Step index.
        step: usize,
        /// The refusal (boxed: a refusal is large beside the other variants).
        refusal: Box<Refusal>,
    },
    /// A step expected to be refused was accepted, or refused with another code.
    #[error("step {step}: expected refusal `{expected}`, got {got}")]
    Expectation {
        /// Step index.
        step: usize,
        /// Expected code.
        expected: String,
        /// What happened.
        got: String,
    },
}

/// Runs a timeline from an empty world.
pub fn simulate(
    input: &Timeline,
    policies: &PolicySet,
    calendar: &Calendar,
) -> Result<SimulationResult, SimulationError> {
    let mut world = World::new();
    let mut events = Vec::new();
    let mut outcomes = Vec::new();
    let advance =
        |world: &mut World, events: &mut Vec<Event>, to: NaiveDate, step: usize| -> Result<usize, SimulationError> {
            let ctx = Ctx {
                policies,
                calendar,
                actor: Actor::system(),
                today: to,
            };
            let evs = tick(world, &ctx, to).map_err(|refusal| SimulationError::Refused {
                step,
                refusal: Box::new(refusal),
            })?;
            for e in &evs {
                world.apply(e);
            }
            let n = evs.len();
            events.extend(evs);
            Ok(n)
        };
    for (i, step) in input.steps.iter().enumerate() {
        match step {
            Step::Tick { tick: to, .. } => {
                let n = advance(&mut world, &mut events, *to, i)?;
                outcomes.push(StepOutcome {
                    step: i,
                    outcome: "ticked",
                    events: n,
                    refusal: None,
                });
            }
            Step::Command {
                on,
                actor,
                command,
                expect_refusal,
                ..
            } => {
                let actor = Actor::parse(actor).map_err(|message| SimulationError::Actor { step: i, message })?;
                let mut n = 0;
                if input.auto_tick && world.clock().is_none_or(|c| c < *on) {
                    n += advance(&mut world, &mut events, *on, i)?;
                }
                let ctx = Ctx {
                    policies,
                    calendar,
                    actor,
                    today: *on,
                };
                match (handle(&world, &ctx, (**command).clone()), expect_refusal) {
                    (Ok(evs), None) => {
                        for e in &evs {
                            world.apply(e);
                        }
                        n += evs.len();
                        events.extend(evs);
                        outcomes.push(StepOutcome {
                            step: i,
                            outcome: "accepted",
                            events: n,
                            refusal: None,
                        });
                    }
                    (Ok(evs), Some(expected)) => {
                        let got = evs.iter().map(|e| e.kind_name()).collect::<Vec<_>>().join(", ");
                        return Err(SimulationError::Expectation {
                            step: i,
                            expected: expected.clone(),
                            got: format!("events [{got}]"),
                        });
                    }
                    (Err(refusal), Some(expected)) if expected == "any" || expected == refusal.code.as_str() => {
                        outcomes.push(StepOutcome {
                            step: i,
                            outcome: "refused",
                            events: n,
                            refusal: Some(refusal),
                        });
                    }
                    (Err(refusal), Some(expected)) => {
                        return Err(SimulationError::Expectation {
                            step: i,
                            expected: expected.clone(),
                            got: format!("refusal `{}`: {}", refusal.code, refusal.message_en),
                        });
                    }
                    (Err(refusal), None) => {
                        return Err(SimulationError::Refused {
                            step: i,
                            refusal: Box::new(refusal),
                        });
                    }
                }
            }
        }
    }
    Ok(SimulationResult {
        events,
        world,
        outcomes,
    })
}
