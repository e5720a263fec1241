//! 建设经费后补助 — the post-subsidy the department awards, after an evaluation, to bases graded
//! 优秀, within the policy's share (Hubei 第二十五、二十六条).
//!
//! Amounts are exact decimals in 万元 (ten thousand yuan), to the yuan (four decimal places):
//! the award document states them that way, and a float would not add them up exactly.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::refusal::Refusal;
use crate::state::{Base, World};

/// The most decimal places an amount in 万元 takes: four is one yuan.
pub const AMOUNT_SCALE: u32 = 4;

/// The largest amount in 万元 accepted for one base: a guard against a slip of the keyboard
/// (1,000,000 万元 = 100亿元), not a rule of the regulation.
pub const AMOUNT_CEILING_WAN: i64 = 1_000_000;

/// One base and the amount it receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubsidyAward {
    /// Base id.
    pub base: String,
    /// 金额（万元） — exact decimal, at most four decimal places.
    pub amount_wan: Decimal,
}

/// 给予建设经费后补助 — awards the post-subsidy to bases graded 优秀 in an evaluation year, by an
/// award document (文号, date). Irreversible: the document is issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardPostSubsidies {
    /// Policy id: the bases must be under it.
    pub policy: String,
    /// 评估年度 — the calendar year the evaluation grades were recorded.
    pub year: i32,
    /// 文号 of the award document.
    pub document_number: String,
    /// 发文日期 — the document's date (not after the business date).
    pub issued_on: NaiveDate,
    /// The bases and amounts.
    pub awards: Vec<SubsidyAward>,
}

/// 后补助 — one base's post-subsidy, recorded on the base's stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostSubsidyAwarded {
    /// Base id.
    pub base: String,
    /// Policy id.
    pub policy: String,
    /// 评估年度.
    pub year: i32,
    /// 金额（万元）.
    pub amount_wan: Decimal,
    /// 文号.
    pub document_number: String,
    /// 发文日期.
    pub issued_on: NaiveDate,
    /// Bases graded in that year's evaluation when awarded (the share's base).
    pub evaluated: u32,
    /// The most bases the share allowed that year.
    pub limit: u32,
}

/// A base's post-subsidy as the state keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostSubsidyRecord {
    /// The event.
    pub event: PostSubsidyAwarded,
    /// The day it was recorded.
    pub recorded_on: NaiveDate,
}

/// Reads an amount in 万元 as typed (`50`, `12.5`, `8.0001`): an exact decimal above zero, to
/// the yuan. Pages, the command line and the API read amounts through this, so the message is
/// the same everywhere.
pub fn parse_amount_wan(field: &str, text: &str) -> Result<Decimal, Refusal> {
    let t = text.trim().replace([',', '，'], "");
    let d: Decimal = t.parse().map_err(|_| {
        Refusal::invalid(
            field,
            format!("金额“{text}”不是数字（单位：万元，如 50 或 12.5）"),
            format!("amount `{text}` is not a number (in 万元, e.g. 50 or 12.5)"),
        )
    })?;
    check_amount_wan(field, d)?;
    Ok(d)
}

/// An amount in 万元 must be above zero, to the yuan, and below the ceiling.
pub fn check_amount_wan(field: &str, d: Decimal) -> Result<(), Refusal> {
    if d <= Decimal::ZERO {
        return Err(Refusal::invalid(
            field,
            format!("金额须大于零，实际为 {d} 万元"),
            format!("the amount must be above zero; it is {d} 万元"),
        ));
    }
    if d.normalize().scale() > AMOUNT_SCALE {
        return Err(Refusal::invalid(
            field,
            format!("金额 {d} 万元精确到元即可（至多 {AMOUNT_SCALE} 位小数）"),
            format!("amount {d} 万元 goes below the yuan (at most {AMOUNT_SCALE} decimal places)"),
        ));
    }
    if d > Decimal::from(AMOUNT_CEILING_WAN) {
        return Err(Refusal::invalid(
            field,
            format!("金额 {d} 万元超过 {AMOUNT_CEILING_WAN} 万元，请核对"),
            format!("amount {d} 万元 is above {AMOUNT_CEILING_WAN} 万元; check it"),
        ));
    }
    Ok(())
}

/// The grade a base received in the periodic evaluation of a year (the last recorded that year;
/// re-evaluations after rectification are not evaluations of the year).
pub fn evaluation_grade_in(b: &Base, year: i32) -> Option<&str> {
    b.evaluations
        .iter()
        .rev()
        .find(|e| !e.re_evaluation && e.on.year() == year)
        .map(|e| e.grade.as_str())
}

impl World {
    /// The bases of a policy graded in the periodic evaluation of a year, sorted by id.
    pub fn evaluated_in(&self, policy: &str, year: i32) -> Vec<&Base> {
        let mut v: Vec<&Base> = self
            .bases
            .values()
            .filter(|b| b.policy == policy && evaluation_grade_in(b, year).is_some())
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// Every post-subsidy, optionally of one policy and one evaluation year, by year (newest
    /// first), document and base.
    pub fn post_subsidies(&self, policy: Option<&str>, year: Option<i32>) -> Vec<(&Base, &PostSubsidyRecord)> {
        let mut v: Vec<(&Base, &PostSubsidyRecord)> = self
            .bases
            .values()
            .filter(|b| policy.is_none_or(|p| b.policy == p))
            .flat_map(|b| b.post_subsidies.iter().map(move |s| (b, s)))
            .filter(|(_, s)| year.is_none_or(|y| s.event.year == y))
            .collect();
        v.sort_by(|(a, x), (b, y)| {
            y.event
                .year
                .cmp(&x.event.year)
                .then(x.event.issued_on.cmp(&y.event.issued_on))
                .then(x.event.document_number.cmp(&y.event.document_number))
                .then(a.id.cmp(&b.id))
        });
        v
    }
}
