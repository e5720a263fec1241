//! 不予受理 — why a command was refused.

use std::fmt;

use guohe_policy::Citation;
use serde::Serialize;

/// What kind of refusal: the rules said no, or the input was not usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// A field is missing, empty or malformed (the refusal names the field).
    InvalidInput,
    /// The id is already taken.
    Duplicate,
    /// The thing referred to does not exist.
    NotFound,
    /// The actor's role may not give this command.
    Forbidden,
    /// The policy is not loaded, or a parameter the command needs is missing from it.
    PolicyUnavailable,
    /// The policy is not in force on the date.
    NotInForce,
    /// 申报批次 — the round is not open on the date.
    RoundNotOpen,
    /// The case is not in a state where this step can be taken.
    WrongState,
    /// 不得重新申请 — the unit is barred from applying.
    Banned,
    /// 登记簿 — the register forbids it (e.g. one base per domain and unit).
    RegisterConflict,
    /// 直接申请 — the application needs no recommendation.
    DirectApplication,
    /// 回避 — the expert has a conflict of interest.
    ConflictOfInterest,
    /// 评审意见不足 — not enough completed expert reviews.
    NotEnoughReviews,
    /// The value is outside the range or vocabulary the policy allows.
    NotAllowed,
    /// 公示期 — outside or before the end of the public-notice period.
    NoticePeriod,
    /// 异议未处理 — an objection is unresolved.
    UnresolvedObjection,
    /// 节假日安排未载入 — the holiday schedule of a year is not loaded.
    CalendarNotLoaded,
    /// A date is out of order (in the future, before the clock, before a period ends).
    DateOutOfOrder,
    /// Already recorded.
    AlreadyRecorded,
    /// 审批顺序 — the approval is not the next one due.
    ApprovalOrder,
    /// The policy has no such procedure.
    NotProvided,
    /// 候选不足 — too few candidates left (e.g. inspectors after avoidance).
    NotEnoughCandidates,
}

impl RefusalCode {
    /// The code as text.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::InvalidInput => "invalid_input",
            RefusalCode::Duplicate => "duplicate",
            RefusalCode::NotFound => "not_found",
            RefusalCode::Forbidden => "forbidden",
            RefusalCode::PolicyUnavailable => "policy_unavailable",
            RefusalCode::NotInForce => "not_in_force",
            RefusalCode::RoundNotOpen => "round_not_open",
            RefusalCode::WrongState => "wrong_state",
            RefusalCode::Banned => "banned",
            RefusalCode::RegisterConflict => "register_conflict",
            RefusalCode::DirectApplication => "direct_application",
            RefusalCode::ConflictOfInterest => "conflict_of_interest",
            RefusalCode::NotEnoughReviews => "not_enough_reviews",
            RefusalCode::NotAllowed => "not_allowed",
            RefusalCode::NoticePeriod => "notice_period",
            RefusalCode::UnresolvedObjection => "unresolved_objection",
            RefusalCode::CalendarNotLoaded => "calendar_not_loaded",
            RefusalCode::DateOutOfOrder => "date_out_of_order",
            RefusalCode::AlreadyRecorded => "already_recorded",
            RefusalCode::ApprovalOrder => "approval_order",
            RefusalCode::NotProvided => "not_provided",
            RefusalCode::NotEnoughCandidates => "not_enough_candidates",
        }
    }
}

impl fmt::Display for RefusalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// 不予办理 — a command refused: why, in Chinese and English, with the article where there is
/// one and the field when the input itself is at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code}: {message_en}")]
pub struct Refusal {
    /// What kind of refusal.
    pub code: RefusalCode,
    /// Why, in Chinese.
    pub message_zh: String,
    /// Why, in English.
    pub message_en: String,
    /// The article that says no, if any.
    pub citation: Option<Citation>,
    /// The field at fault, for invalid input (`facts.unit.uscc`, `score`).
    pub field: Option<String>,
}

impl Refusal {
    /// A refusal without citation or field.
    pub fn new(code: RefusalCode, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message_zh: zh.into(),
            message_en: en.into(),
            citation: None,
            field: None,
        }
    }

    /// Invalid input in a field.
    pub fn invalid(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
        Refusal {
            field: Some(field.into()),
            ..Refusal::new(RefusalCode::InvalidInput, zh, en)
        }
    }

    /// Adds the citation.
    pub fn cite(mut self, c: Citation) -> Refusal {
        self.citation = Some(c);
        self
    }

    /// Adds the field.
    pub fn at(mut self, field: impl Into<String>) -> Refusal {
        self.field = Some(field.into());
        self
    }

    /// True when the input was at fault rather than the rules.
    pub fn is_invalid_input(&self) -> bool {
        self.field.is_some()
    }
}
