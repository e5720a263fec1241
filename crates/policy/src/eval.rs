//! The interpreter and the eligibility check.
//!
//! [`evaluate`] runs every eligibility rule of a policy over an application's facts and returns
//! an [`Evaluation`]: a verdict and one [`Finding`] per rule, each with its article, status, the
//! facts it read and the comparisons that decided it. The trace is kept structured (borrowed
//! from the policy and the facts) so a check costs microseconds; [`Evaluation::report`] renders
//! the reasons in Chinese and English.

use std::ops::Range;

use chrono::{Months, NaiveDate};
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
mod interpret;
mod report;

use interpret::{Ctx, NeedFact, item_field, year_of};
pub use report::{FactReport, FindingReport, Report, Summary};
