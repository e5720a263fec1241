//! The interpreter and the eligibility check.
//!
//! [`evaluate`] runs every eligibility rule of a policy over an application's facts and returns
//! an [`Evaluation`]: a verdict and one [`Finding`] per rule, each with its article, status, the
//! facts it read and the comparisons that decided it. The trace is kept structured (borrowed
//! from the policy and the facts) so a check costs microseconds; [`Evaluation::report`] renders
//! the reasons in Chinese and English.

use std::ops::Range;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::citation::{ArticleRef, Citation, chinese_article};
use crate::expr::{ArithOp, Band, Expr, ExprKind, ListOp, Literal, Window};
use crate::facts::{Application, Fact, FactError, FactTree, Path, RegistryFacts, catalogue_entry};
use crate::model::{Mode, Policy, Rule};

/// An application ready to be checked: its typed facts and the fact tree.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The typed application.
    pub application: Application,
    facts: FactTree,
}

impl Prepared {
    /// Validates the application against the policy and builds its fact tree. Registry facts,
    /// when given, replace those inside the application (the register is authoritative).
    pub fn new(
        policy: &Policy,
        mut application: Application,
        registry: Option<RegistryFacts>,
    ) -> Result<Prepared, FactError> {
        application.validate(policy)?;
        if let Some(r) = registry {
            application.registry = r;
        }
        let facts = application.to_facts();
        Ok(Prepared { application, facts })
    }

    /// The fact tree.
    pub fn facts(&self) -> &FactTree {
        &self.facts
    }
}

/// Why a check could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// A fact is wrong or missing in the input.
    #[error(transparent)]
    Facts(#[from] FactError),
    /// The application is dated before the policy enters into force.
    #[error("the application is dated {date}, before {policy} enters into force on {from} ({citation})")]
    NotYetInForce {
        /// Policy id.
        policy: String,
        /// Application date.
        date: NaiveDate,
        /// Entry into force.
        from: NaiveDate,
        /// The article on entry into force.
        citation: Citation,
    },
    /// The application is dated after the policy's validity ended.
    #[error("the application is dated {date}, after {policy} ceased to be valid on {until} ({citation})")]
    Expired {
        /// Policy id.
        policy: String,
        /// Application date.
        date: NaiveDate,
        /// The last day of validity.
        until: NaiveDate,
        /// The article on validity.
        citation: Citation,
    },
    /// The application is dated after the day of the check.
    #[error("application_date {date} is after the check date {as_of}")]
    DatedInFuture {
        /// Application date.
        date: NaiveDate,
        /// The check date.
        as_of: NaiveDate,
    },
}

impl CheckError {
    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            CheckError::Facts(e) => format!("{}：{}", e.path, e.message_zh),
            CheckError::NotYetInForce {
                policy,
                date,
                from,
                citation,
            } => format!(
                "申报日期 {date} 早于《{policy}》的施行日期 {from}，不能依据该办法申报（{}）",
                citation
            ),
            CheckError::Expired {
                policy,
                date,
                until,
                citation,
            } => format!(
                "申报日期 {date} 晚于《{policy}》的有效期截止日 {until}，该办法已失效（{}）",
                citation
            ),
            CheckError::DatedInFuture { date, as_of } => {
                format!("application_date：申报日期 {date} 晚于检查日期 {as_of}")
            }
        }
    }

    /// The field the error is about, if any.
    pub fn path(&self) -> Option<&str> {
        match self {
            CheckError::Facts(e) => Some(&e.path),
            CheckError::DatedInFuture { .. } | CheckError::NotYetInForce { .. } | CheckError::Expired { .. } => {
                Some("application_date")
            }
        }
    }
}

/// The outcome of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The condition holds.
    Pass,
    /// The condition does not hold.
    Fail,
    /// Only an expert can say.
    Review,
    /// The rule does not apply to this application.
    NotApplicable,
}

impl Status {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Status::Pass => "符合",
            Status::Fail => "不符合",
            Status::Review => "需专家评审",
            Status::NotApplicable => "不适用",
        }
    }
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every applicable condition passes.
    Eligible,
    /// At least one condition fails.
    Ineligible,
    /// Nothing fails, but some conditions need expert judgement.
    NeedsReview,
}

impl Verdict {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Verdict::Eligible => "符合申报条件",
            Verdict::Ineligible => "不符合申报条件",
            Verdict::NeedsReview => "待专家评审",
        }
    }
}

/// A value during evaluation, borrowed from the policy or the facts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    /// Not given (an optional item field).
    Null,
    /// true/false.
    Bool(bool),
    /// Exact decimal.
    Num(Decimal),
    /// Text.
    Text(&'a str),
    /// Date.
    Date(NaiveDate),
    /// A list.
    List(&'a [Fact]),
    /// A record.
    Record(&'a Fact),
    /// A number that cannot be computed: a division by zero (or an average of no items).
    Undefined,
}

impl<'a> Val<'a> {
    fn of(f: &'a Fact) -> Val<'a> {
        match f {
            Fact::Null => Val::Null,
            Fact::Bool(b) => Val::Bool(*b),
            Fact::Num(n) => Val::Num(*n),
            Fact::Text(t) => Val::Text(t),
            Fact::Date(d) => Val::Date(*d),
            Fact::List(l) => Val::List(l),
            Fact::Record(_) => Val::Record(f),
        }
    }

    fn render(&self) -> String {
        match self {
            Val::Null => "—".into(),
            Val::Bool(true) => "是".into(),
            Val::Bool(false) => "否".into(),
            Val::Num(n) => n.normalize().to_string(),
            Val::Text(t) => (*t).to_string(),
            Val::Date(d) => d.to_string(),
            Val::List(l) => format!("{} 项", l.len()),
            Val::Record(_) => "…".into(),
            Val::Undefined => "无法计算（除数为零）".into(),
        }
    }

    fn render_en(&self) -> String {
        match self {
            Val::Bool(true) => "yes".into(),
            Val::Bool(false) => "no".into(),
            Val::List(l) => format!("{} items", l.len()),
            Val::Undefined => "undefined (division by zero)".into(),
            _ => self.render(),
        }
    }

    fn to_json(self) -> serde_json::Value {
        match self {
            Val::Null => serde_json::Value::Null,
            Val::Bool(b) => b.into(),
            Val::Num(n) => n
                .normalize()
                .to_string()
                .parse::<serde_json::Number>()
                .map(serde_json::Value::Number)
                .unwrap_or_else(|_| n.to_string().into()),
            Val::Text(t) => t.into(),
            Val::Date(d) => d.to_string().into(),
            Val::List(l) => serde_json::json!({ "items": l.len() }),
            Val::Record(_) => serde_json::json!({}),
            Val::Undefined => serde_json::Value::Null,
        }
    }
}

/// A missing fact that a rule needed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Missing<'a> {
    /// The fact path.
    pub path: &'a str,
    /// For complete-year windows: the years required.
    pub years: Option<(i32, i32)>,
}

/// Kleene three-valued truth: a condition over a missing fact is unknown, unless the rest of
/// an `any`/`all` decides it anyway.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Truth<'a> {
    True,
    False,
    /// A number in the condition could not be computed (division by zero).
    Undefined,
    Unknown(Missing<'a>),
}

impl<'a> Truth<'a> {
    fn from(b: bool) -> Self {
        if b { Truth::True } else { Truth::False }
    }
}

/// One fact read by a rule.
#[derive(Debug, Clone, Copy)]
pub struct FactUse<'a> {
    /// The path.
    pub path: &'a str,
    /// The value read.
    pub value: Val<'a>,
}

/// A comparison that took part in deciding a rule.
#[derive(Debug, Clone, Copy)]
pub struct Detail<'a> {
    /// The node that compared.
    pub node: &'a Expr,
    /// What was compared.
    pub kind: DetailKind<'a>,
    /// Whether it held.
    pub held: bool,
    /// Whether the comparison sits under a `not`, so that the rule wants it not to hold.
    pub negated: bool,
}

/// What a comparison compared.
#[derive(Debug, Clone, Copy)]
pub enum DetailKind<'a> {
    /// `value` against `required` with an operator.
    Compare {
        /// The operator: ≥, ≤ or =.
        op: &'static str,
        /// The value node (for its label).
        value: &'a Expr,
        /// The actual value.
        actual: Val<'a>,
        /// The required value.
        required: Val<'a>,
    },
    /// Membership in a set.
    OneOf {
        /// The value node.
        value: &'a Expr,
        /// The actual value.
        actual: Val<'a>,
        /// The allowed set.
        set: &'a [Literal],
    },
    /// A value that could not be computed (division by zero).
    Undefined {
        /// The node whose value is undefined.
        value: &'a Expr,
    },
    /// A banded ratio.
    Ratio {
        /// Numerator.
        numerator: Decimal,
        /// Denominator.
        denominator: Decimal,
        /// The value choosing the band.
        band_value: Decimal,
        /// The band chosen.
        band: &'a Band,
        /// The band-choosing node.
        band_by: &'a Expr,
    },
}

/// The outcome of one rule, with its trace.
#[derive(Debug, Clone)]
pub struct Finding<'a> {
    /// The rule.
    pub rule: &'a Rule,
    /// Its outcome.
    pub status: Status,
    /// For attested rules whose attachment is missing: the attachment kind.
    pub missing_evidence: Option<&'a str>,
    uses: Range<usize>,
    details: Range<usize>,
}

/// The result of checking one application against one policy.
#[derive(Debug, Clone)]
pub struct Evaluation<'a> {
    /// The policy applied.
    pub policy: &'a Policy,
    /// The verdict.
    pub verdict: Verdict,
    /// One finding per rule, in the policy's order.
    pub findings: Vec<Finding<'a>>,
    /// The date of the check.
    pub as_of: NaiveDate,
    /// The anchor of look-back windows (the application date).
    pub anchor: NaiveDate,
    uses: Vec<FactUse<'a>>,
    details: Vec<Detail<'a>>,
}

impl<'a> Evaluation<'a> {
    /// Facts read by a finding.
    pub fn uses(&self, f: &Finding<'a>) -> &[FactUse<'a>] {
        &self.uses[f.uses.clone()]
    }
    /// Comparisons made by a finding.
    pub fn details(&self, f: &Finding<'a>) -> &[Detail<'a>] {
        &self.details[f.details.clone()]
    }
    /// The finding of a rule.
    pub fn finding(&self, rule_id: &str) -> Option<&Finding<'a>> {
        self.findings.iter().find(|f| f.rule.id == rule_id)
    }
}

/// Evaluation failed on a missing fact.
struct NeedFact<'a>(&'a Rule, Missing<'a>);

struct Ctx<'a, 'e> {
    facts: &'a FactTree,
    anchor: NaiveDate,
    item: Option<&'a Fact>,
    item_list: &'a str,
    negated: bool,
    uses: &'e mut Vec<FactUse<'a>>,
    details: &'e mut Vec<Detail<'a>>,
}

fn lookup<'a>(facts: &'a FactTree, path: &Path) -> Option<&'a Fact> {
    facts.get(path)
}

impl<'a> Ctx<'a, '_> {
    fn fact(&mut self, path: &'a Path) -> Result<Val<'a>, Missing<'a>> {
        match lookup(self.facts, path) {
            Some(Fact::Null) | None => Err(Missing {
                path: path.as_str(),
                years: None,
            }),
            Some(f) => {
                let v = Val::of(f);
                self.uses.push(FactUse {
                    path: path.as_str(),
                    value: v,
                });
                Ok(v)
            }
        }
    }

    fn value(&mut self, e: &'a Expr) -> Result<Val<'a>, Missing<'a>> {
        Ok(match &e.kind {
            ExprKind::Literal(Literal::Bool(b)) => Val::Bool(*b),
            ExprKind::Literal(Literal::Num(n)) => Val::Num(*n),
            ExprKind::Literal(Literal::Text(t)) => Val::Text(t),
            ExprKind::Fact(p) => self.fact(p)?,
            ExprKind::Item(field) => self
                .item
                .and_then(|i| item_field(i, field))
                .map(Val::of)
                .unwrap_or(Val::Null),
            ExprKind::Count(op) => {
                let mut n = 0i64;
                self.each(op, |_, _| n += 1)?;
                Val::Num(Decimal::from(n))
            }
            ExprKind::Sum(op) => {
                let field = op.field.as_ref();
                let mut total = Decimal::ZERO;
                self.each(op, |item, _| {
                    if let Some(Fact::Num(n)) = field.and_then(|f| item_field(item, f)) {
                        total += *n;
                    }
                })?;
                Val::Num(total)
            }
            ExprKind::Average(op) => {
                let field = op.field.as_ref();
                let (mut total, mut n) = (Decimal::ZERO, 0i64);
                self.each(op, |item, _| {
                    if let Some(Fact::Num(x)) = field.and_then(|f| item_field(item, f)) {
                        total += *x;
                        n += 1;
                    }
                })?;
                match total.checked_div(Decimal::from(n)) {
                    Some(avg) if n > 0 => Val::Num(avg),
                    _ => Val::Undefined,
                }
            }
            ExprKind::Arith(op, args) => {
                let mut acc: Option<Decimal> = None;
                let mut undefined = false;
                for a in args {
                    let x = match self.value(a)? {
                        Val::Num(x) => x,
                        _ => {
                            undefined = true;
                            continue;
                        }
                    };
                    acc = Some(match (acc, op) {
                        (None, _) => x,
                        (Some(s), ArithOp::Add) => s.checked_add(x).unwrap_or_else(|| {
                            undefined = true;
                            s
                        }),
                        (Some(s), ArithOp::Subtract) => s.checked_sub(x).unwrap_or_else(|| {
                            undefined = true;
                            s
                        }),
                        (Some(s), ArithOp::Multiply) => s.checked_mul(x).unwrap_or_else(|| {
                            undefined = true;
                            s
                        }),
                        // checked_div answers None for a zero divisor and for overflow.
                        (Some(s), ArithOp::Divide) => s.checked_div(x).unwrap_or_else(|| {
                            undefined = true;
                            s
                        }),
                    });
                }
                match acc {
                    Some(v) if !undefined => Val::Num(v),
                    _ => Val::Undefined,
                }
            }
            ExprKind::CountDistinct(op) => {
                let field = op.field.as_ref();
                let mut seen: Vec<&'a Fact> = Vec::new();
                self.each(op, |item, _| {
                    if let Some(v) = field.and_then(|f| item_field(item, f)).filter(|v| **v != Fact::Null)
                        && !seen.contains(&v)
                    {
                        seen.push(v);
                    }
                })?;
                Val::Num(Decimal::from(seen.len() as i64))
            }
            ExprKind::Latest { list, field, by } => {
                let items = self.list(list)?;
                let latest = items
                    .iter()
                    .filter_map(|i| match item_field(i, by) {
                        Some(Fact::Num(n)) => Some((*n, i)),
                        Some(Fact::Date(d)) => Some((Decimal::from(d.num_days_from_ce()), i)),
                        _ => None,
                    })
                    .max_by(|a, b| a.0.cmp(&b.0));
                match latest.and_then(|(_, i)| item_field(i, field)) {
                    Some(Fact::Null) | None => {
                        return Err(Missing {
                            path: list.as_str(),
                            years: None,
                        });
                    }
                    Some(f) => Val::of(f),
                }
            }
            _ => match self.truth(e)? {
                Some(true) => Val::Bool(true),
                Some(false) => Val::Bool(false),
                None => Val::Undefined,
            },
        })
    }

    fn list(&mut self, path: &'a Path) -> Result<&'a [Fact], Missing<'a>> {
        match self.fact(path)? {
            Val::List(l) => Ok(l),
            _ => Err(Missing {
                path: path.as_str(),
                years: None,
            }),
        }
    }

    /// Runs `f` over the items of a list op that fall in its window and meet its filter.
    fn each(&mut self, op: &'a ListOp, mut f: impl FnMut(&'a Fact, &mut Self)) -> Result<(), Missing<'a>> {
        let items = self.list(&op.list)?;
        let anchor = self.anchor;
        let window_start = match &op.within {
            Some(Window::Years { years, .. } | Window::Overlaps { years, .. }) => anchor
                .checked_sub_months(Months::new(12 * years))
                .unwrap_or(NaiveDate::MIN),
            _ => NaiveDate::MIN,
        };
        if let Some(Window::CompleteYears {
            years,
            field,
            require_all: true,
        }) = &op.within
        {
            let first = anchor.year() - *years as i32;
            for y in first..anchor.year() {
                if !items.iter().any(|i| year_of(item_field(i, field)) == Some(y)) {
                    return Err(Missing {
                        path: op.list.as_str(),
                        years: Some((first, anchor.year() - 1)),
                    });
                }
            }
        }
        let (saved_item, saved_list) = (self.item, self.item_list);
        for item in items {
            let in_window = match &op.within {
                None => true,
                Some(Window::Years { date_field, .. }) => match item_field(item, date_field) {
                    Some(Fact::Date(d)) => *d > window_start && *d <= anchor,
                    _ => false,
                },
                Some(Window::Overlaps {
                    start_field, end_field, ..
                }) => {
                    let started = matches!(item_field(item, start_field), Some(Fact::Date(d)) if *d <= anchor);
                    let not_ended_before = match item_field(item, end_field) {
                        Some(Fact::Date(d)) => *d > window_start,
                        _ => true,
                    };
                    started && not_ended_before
                }
                Some(Window::CompleteYears { years, field, .. }) => year_of(item_field(item, field))
                    .is_some_and(|y| y >= anchor.year() - *years as i32 && y < anchor.year()),
            };
            if !in_window {
                continue;
            }
            if let Some(filter) = &op.filter {
                self.item = Some(item);
                self.item_list = op.list.as_str();
                // Inside a filter, a missing item field simply fails the filter.
                let keep = matches!(self.truth3(filter), Truth::True);
                self.item = saved_item;
                self.item_list = saved_list;
                if !keep {
                    continue;
                }
            }
            f(item, self);
        }
        Ok(())
    }

    /// Whether a condition holds: `None` when a number in it cannot be computed.
    fn truth(&mut self, e: &'a Expr) -> Result<Option<bool>, Missing<'a>> {
        match self.truth3(e) {
            Truth::True => Ok(Some(true)),
            Truth::False => Ok(Some(false)),
            Truth::Undefined => Ok(None),
            Truth::Unknown(m) => Err(m),
        }
    }

    fn truth3(&mut self, e: &'a Expr) -> Truth<'a> {
        match &e.kind {
            ExprKind::All(items) => {
                let (mut unknown, mut undefined) = (None, false);
                for c in items {
                    match self.truth3(c) {
                        Truth::False => return Truth::False,
                        Truth::Unknown(m) => unknown = unknown.or(Some(m)),
                        Truth::Undefined => undefined = true,
                        Truth::True => {}
                    }
                }
                match (unknown, undefined) {
                    (Some(m), _) => Truth::Unknown(m),
                    (None, true) => Truth::Undefined,
                    (None, false) => Truth::True,
                }
            }
            ExprKind::Any(items) => {
                let (mut unknown, mut undefined) = (None, false);
                for c in items {
                    match self.truth3(c) {
                        Truth::True => return Truth::True,
                        Truth::Unknown(m) => unknown = unknown.or(Some(m)),
                        Truth::Undefined => undefined = true,
                        Truth::False => {}
                    }
                }
                match (unknown, undefined) {
                    (Some(m), _) => Truth::Unknown(m),
                    (None, true) => Truth::Undefined,
                    (None, false) => Truth::False,
                }
            }
            ExprKind::Not(c) => {
                self.negated = !self.negated;
                let t = self.truth3(c);
                self.negated = !self.negated;
                match t {
                    Truth::True => Truth::False,
                    Truth::False => Truth::True,
                    u => u,
                }
            }
            ExprKind::Present(p) => Truth::from(!matches!(lookup(self.facts, p), None | Some(Fact::Null))),
            ExprKind::AtLeast(v, r) => self.compare(e, v, r, "≥"),
            ExprKind::AtMost(v, r) => self.compare(e, v, r, "≤"),
            ExprKind::Equals(v, r) => self.compare(e, v, r, "="),
            ExprKind::OneOf(v, set) => match self.value(v) {
                Err(m) => Truth::Unknown(m),
                Ok(Val::Undefined) => self.undefined(v),
                Ok(actual) => {
                    let held = set.iter().any(|l| lit_eq(l, actual));
                    if self.item.is_none() {
                        self.details.push(Detail {
                            node: e,
                            kind: DetailKind::OneOf { value: v, actual, set },
                            held,
                            negated: self.negated,
                        });
                    }
                    Truth::from(held)
                }
            },
            ExprKind::RatioBanded {
                numerator,
                denominator,
                band_by,
                bands,
            } => {
                let (n, d, b) = match (self.num(numerator), self.num(denominator), self.num(band_by)) {
                    (Ok(Some(n)), Ok(Some(d)), Ok(Some(b))) => (n, d, b),
                    (Err(m), _, _) | (_, Err(m), _) | (_, _, Err(m)) => return Truth::Unknown(m),
                    (Ok(None), ..) => return self.undefined(numerator),
                    (_, Ok(None), _) => return self.undefined(denominator),
                    _ => return self.undefined(band_by),
                };
                let band = bands
                    .iter()
                    .find(|x| x.up_to.is_none_or(|u| b <= u))
                    .unwrap_or(&bands[bands.len() - 1]);
                // No revenue means no ratio can be shown, so the standard is not met.
                let held = !d.is_zero() && n.checked_div(d).is_some_and(|r| r >= band.min_ratio);
                self.details.push(Detail {
                    node: e,
                    kind: DetailKind::Ratio {
                        numerator: n,
                        denominator: d,
                        band_value: b,
                        band,
                        band_by,
                    },
                    held,
                    negated: self.negated,
                });
                Truth::from(held)
            }
            _ => match self.value(e) {
                Ok(Val::Bool(b)) => Truth::from(b),
                Ok(Val::Undefined) => Truth::Undefined,
                Ok(Val::Null) => Truth::False,
                Ok(_) => Truth::False,
                Err(m) => Truth::Unknown(m),
            },
        }
    }

    /// Records that `value` could not be computed; the condition is then undefined.
    fn undefined(&mut self, value: &'a Expr) -> Truth<'a> {
        self.details.push(Detail {
            node: value,
            kind: DetailKind::Undefined { value },
            held: false,
            negated: self.negated,
        });
        Truth::Undefined
    }

    /// A number, or `None` when it cannot be computed.
    fn num(&mut self, e: &'a Expr) -> Result<Option<Decimal>, Missing<'a>> {
        match self.value(e)? {
            Val::Num(n) => Ok(Some(n)),
            Val::Undefined => Ok(None),
            _ => Err(Missing {
                path: fact_path(e).unwrap_or(self.item_list),
                years: None,
            }),
        }
    }

    fn compare(&mut self, node: &'a Expr, v: &'a Expr, r: &'a Expr, op: &'static str) -> Truth<'a> {
        let (actual, required) = match (self.value(v), self.value(r)) {
            (Ok(Val::Undefined), _) => return self.undefined(v),
            (_, Ok(Val::Undefined)) => return self.undefined(r),
            (Ok(a), Ok(b)) => (a, b),
            (Err(m), _) | (_, Err(m)) => return Truth::Unknown(m),
        };
        let held = match (actual, required, op) {
            (Val::Num(a), Val::Num(b), "≥") => a >= b,
            (Val::Num(a), Val::Num(b), "≤") => a <= b,
            (Val::Date(a), Val::Date(b), "≥") => a >= b,
            (Val::Date(a), Val::Date(b), "≤") => a <= b,
            (a, b, "=") => a == b,
            _ => false,
        };
        if self.item.is_none() {
            self.details.push(Detail {
                node,
                kind: DetailKind::Compare {
                    op,
                    value: v,
                    actual,
                    required,
                },
                held,
                negated: self.negated,
            });
        }
        Truth::from(held)
    }
}

#[inline]
fn item_field<'a>(item: &'a Fact, field: &Path) -> Option<&'a Fact> {
    match field.syms() {
        [s] => item.field_sym(*s),
        _ => None,
    }
}

fn year_of(f: Option<&Fact>) -> Option<i32> {
    match f {
        Some(Fact::Num(n)) => i32::try_from(n.trunc().mantissa())
            .ok()
            .filter(|_| n.scale() == 0 || n.fract().is_zero()),
        Some(Fact::Date(d)) => Some(d.year()),
        _ => None,
    }
}

fn lit_eq(l: &Literal, v: Val<'_>) -> bool {
    match (l, v) {
        (Literal::Bool(a), Val::Bool(b)) => *a == b,
        (Literal::Num(a), Val::Num(b)) => *a == b,
        (Literal::Text(a), Val::Text(b)) => a == b,
        _ => false,
    }
}

fn fact_path(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Fact(p) => Some(p.as_str()),
        ExprKind::Count(op) | ExprKind::Sum(op) | ExprKind::CountDistinct(op) | ExprKind::Average(op) => {
            Some(op.list.as_str())
        }
        ExprKind::Latest { list, .. } => Some(list.as_str()),
        _ => None,
    }
}

/// The last day a policy is valid: the day before the anniversary of entry into force.
pub fn valid_until(policy: &Policy) -> NaiveDate {
    policy
        .in_force_from
        .checked_add_months(Months::new(12 * policy.validity.years))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// Refuses a date outside the policy's period of force, citing the article on entry into force.
pub fn check_in_force(policy: &Policy, date: NaiveDate) -> Result<(), CheckError> {
    let citation = Citation {
        policy: policy.id.clone(),
        at: policy.validity.article,
    };
    if date < policy.in_force_from {
        return Err(CheckError::NotYetInForce {
            policy: policy.id.clone(),
            date,
            from: policy.in_force_from,
            citation,
        });
    }
    let until = valid_until(policy);
    if date > until {
        return Err(CheckError::Expired {
            policy: policy.id.clone(),
            date,
            until,
            citation,
        });
    }
    Ok(())
}

/// Checks an application against every eligibility rule of the policy.
///
/// Look-back windows count back from the application date (see the policy's interpretations).
/// Returns an error, naming the field, when an applicable rule needs a fact the application does
/// not give, or when the application date is outside the policy's period of force.
pub fn evaluate<'a>(policy: &'a Policy, app: &'a Prepared, as_of: NaiveDate) -> Result<Evaluation<'a>, CheckError> {
    let anchor = app.application.application_date;
    if anchor > as_of {
        return Err(CheckError::DatedInFuture { date: anchor, as_of });
    }
    check_in_force(policy, anchor)?;
    let mut uses = Vec::with_capacity(policy.eligibility.len() * 3);
    let mut details = Vec::with_capacity(policy.eligibility.len() * 2);
    let mut findings = Vec::with_capacity(policy.eligibility.len());
    for rule in &policy.eligibility {
        let (u0, d0) = (uses.len(), details.len());
        let mut ctx = Ctx {
            facts: &app.facts,
            anchor,
            item: None,
            item_list: "",
            negated: false,
            uses: &mut uses,
            details: &mut details,
        };
        let (status, missing_evidence) = run_rule(rule, &mut ctx, &app.application)
            .map_err(|NeedFact(rule, m)| missing_fact_error(policy, rule, m))?;
        findings.push(Finding {
            rule,
            status,
            missing_evidence,
            uses: u0..uses.len(),
            details: d0..details.len(),
        });
    }
    let verdict = if findings.iter().any(|f| f.status == Status::Fail) {
        Verdict::Ineligible
    } else if findings.iter().any(|f| f.status == Status::Review) {
        Verdict::NeedsReview
    } else {
        Verdict::Eligible
    };
    Ok(Evaluation {
        policy,
        verdict,
        findings,
        as_of,
        anchor,
        uses,
        details,
    })
}

fn run_rule<'a>(
    rule: &'a Rule,
    ctx: &mut Ctx<'a, '_>,
    app: &Application,
) -> Result<(Status, Option<&'a str>), NeedFact<'a>> {
    if let Some(when) = &rule.applies_when {
        // Applicability reads facts too, but they are not the rule's evidence.
        let (u, d) = (ctx.uses.len(), ctx.details.len());
        // A condition of applicability that cannot be computed does not make the rule apply.
        let applies = ctx.truth(when).map_err(|m| NeedFact(rule, m))?.unwrap_or(false);
        ctx.uses.truncate(u);
        ctx.details.truncate(d);
        if !applies {
            return Ok((Status::NotApplicable, None));
        }
    }
    // A condition whose numbers cannot be computed (a division by zero) is not met; the
    // finding's details say which value was undefined.
    let holds = match &rule.condition {
        Some(c) => ctx.truth(c).map_err(|m| NeedFact(rule, m))?.unwrap_or(false),
        None => true,
    };
    Ok(match rule.mode {
        Mode::Computed => (if holds { Status::Pass } else { Status::Fail }, None),
        Mode::Judged => (if holds { Status::Review } else { Status::Fail }, None),
        Mode::Attested => {
            let evidence = rule.evidence.as_deref().unwrap_or_default();
            if !holds {
                (Status::Fail, None)
            } else if app.attachments.iter().any(|a| a.kind == evidence) {
                (Status::Pass, None)
            } else {
                (Status::Fail, Some(evidence))
            }
        }
    })
}

fn missing_fact_error(policy: &Policy, rule: &Rule, m: Missing<'_>) -> CheckError {
    let label = catalogue_entry(m.path).map(|e| e.2).unwrap_or(m.path);
    let cite = Citation {
        policy: policy.id.clone(),
        at: rule.article,
    };
    let (zh, en) = match m.years {
        Some((a, b)) => (
            format!(
                "缺少{label}：需提供{a}—{b}年度每一年的数据（{}，{}）",
                cite.to_chinese(policy.item_style),
                rule.title_zh
            ),
            format!("needs an entry for each year {a}–{b} ({cite}: {})", rule.title_en),
        ),
        None => (
            format!(
                "缺少{label}，该项为“{}”所必需（{}）",
                rule.title_zh,
                cite.to_chinese(policy.item_style)
            ),
            format!("required by rule `{}` ({cite}: {})", rule.id, rule.title_en),
        ),
    };
    CheckError::Facts(FactError::new(m.path, zh, en))
}

pub mod bulk;
mod report;
pub use report::{FactReport, FindingReport, Report, Summary};
