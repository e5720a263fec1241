//! 国合基地的一生 — the life of a provincial international S&T cooperation base as pure
//! commands, events and state.
//!
//! Nothing here does I/O. [`handle`] decides a [`Command`] against the [`World`] and returns the
//! [`Event`]s it causes, or a [`Refusal`] that says why not (in Chinese and English, citing the
//! article). [`World::apply`] folds events into state; [`tick`] emits what falls due on its own
//! as time passes; [`register`] reads the register of bases as of any date; [`simulate`] runs a
//! whole [`Timeline`] of commands and clock ticks.
//!
//! Every rule comes from the policy (`guohe_policy::Policy`): procedure steps, deadlines,
//! vocabularies and the consequence rules (`policy.consequences`), which are interpreted
//! generically — no province is special-cased here. Every event carries the articles it applies
//! in machine form (`hubei-2022:28.1`).

#![warn(missing_docs)]

/// Declares a serde enum of newtype variants, one payload struct per variant, that is written
/// internally tagged (`{"type": "RoundOpened", ...}`) and read back through
/// `serde_json::Value`. The workspace enables serde_json's `arbitrary_precision`, under which
/// serde's derived internally tagged enums cannot read numbers, so reading dispatches on the tag
/// by hand.
macro_rules! tagged_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[serde(tag = "type")]
        pub enum $name {
            $( $(#[$vmeta])* $variant($variant), )*
        }

        impl $name {
            /// Every variant name, as stored beside the payload.
            pub const NAMES: &'static [&'static str] = &[ $( stringify!($variant), )* ];

            /// The variant name, as stored beside the payload.
            pub fn name(&self) -> &'static str {
                match self { $( $name::$variant(_) => stringify!($variant), )* }
            }

            /// The payload: the variant's fields as a JSON object, without the tag.
            pub fn payload(&self) -> serde_json::Value {
                // Payloads are plain structs of strings, dates, numbers and lists: they always
                // serialise; `Null` is only a guard.
                match self { $( $name::$variant(p) => serde_json::to_value(p).unwrap_or(serde_json::Value::Null), )* }
            }

            /// Rebuilds a value from its variant name and payload JSON text, without building a
            /// `serde_json::Value` first (replay reads millions of these).
            pub fn from_name_and_json(name: &str, json: &str) -> Result<Self, $crate::DecodeError> {
                match name {
                    $( stringify!($variant) => serde_json::from_str::<$variant>(json)
                        .map($name::$variant)
                        .map_err(|e| $crate::DecodeError::Payload { kind: name.to_string(), message: e.to_string() }), )*
                    _ => Err($crate::DecodeError::UnknownKind {
                        of: stringify!($name),
                        name: name.to_string(),
                        names: Self::NAMES,
                    }),
                }
            }

            /// Rebuilds a value from its variant name and payload.
            pub fn from_name_and_payload(name: &str, payload: serde_json::Value) -> Result<Self, $crate::DecodeError> {
                match name {
                    $( stringify!($variant) => serde_json::from_value::<$variant>(payload)
                        .map($name::$variant)
                        .map_err(|e| $crate::DecodeError::Payload { kind: name.to_string(), message: e.to_string() }), )*
                    _ => Err($crate::DecodeError::UnknownKind {
                        of: stringify!($name),
                        name: name.to_string(),
                        names: Self::NAMES,
                    }),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let mut v = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                let tag = match v.as_object_mut().and_then(|m| m.remove("type")) {
                    Some(serde_json::Value::String(s)) => s,
                    _ => return Err(serde::de::Error::custom(format!(
                        "missing \"type\"; one of {}", Self::NAMES.join(", ")
                    ))),
                };
                Self::from_name_and_payload(&tag, v).map_err(serde::de::Error::custom)
            }
        }
    };
}

mod actor;
mod command;
mod consequence;
mod date_de;
mod document;
pub mod draw;
mod event;
mod handle;
mod inspection;
mod national;
mod panel;
pub mod reform;
mod refusal;
mod register;
mod round;
mod simulate;
mod state;
mod subsidy;
mod tick;
mod world_parts;

pub use actor::{Actor, Role};
pub use command::*;
pub use document::{DocumentKind, DocumentText, IssuedDocument};
pub use event::*;
pub use handle::{Ctx, check_objection_input, handle};
pub use inspection::*;
pub use national::{
    CriterionCheck, NationalCandidate, NationalList, NationalOutcome, NationalOutcomeRecorded, NationalRecord,
    RecommendToNational, RecommendedToNational, RecordNationalOutcome, criteria as national_criteria,
    national_candidates,
};
pub use panel::*;
pub use refusal::{Refusal, RefusalCode};
pub use register::{RegisterEntry, register, registry_facts, registry_facts_among};
pub use round::RoundPhase;
pub use simulate::{SimulationError, SimulationResult, Step, StepOutcome, Timeline, simulate};
pub use state::*;
pub use subsidy::*;
pub use tick::tick;
pub use world_parts::LargeMaps;

fn kind_noun(of: &str) -> &'static str {
    match of {
        "Command" => "command type",
        _ => "event kind",
    }
}

/// Why a stored event (or a command) could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The name is not one of the enumeration's names ([`EventKind::NAMES`], [`Command::NAMES`]).
    #[error("unknown {} `{name}`; one of {}", kind_noun(of), names.join(", "))]
    UnknownKind {
        /// Which enumeration: `Command` or `EventKind`.
        of: &'static str,
        /// The name given.
        name: String,
        /// The names it may take.
        names: &'static [&'static str],
    },
    /// The payload does not fit the kind.
    #[error("payload of `{kind}`: {message}")]
    Payload {
        /// The kind name.
        kind: String,
        /// What serde said.
        message: String,
    },
    /// An article is not a citation like `hubei-2022:28.1`.
    #[error("article `{text}`: {message}")]
    Citation {
        /// The text given.
        text: String,
        /// What is wrong.
        message: String,
    },
}
