//! 批量核查 — the bulk eligibility check: the rules of [`evaluate`](super::evaluate), without a
//! trace, for runs that need verdicts rather than reasons (the reform what-if re-checks every
//! application of the open rounds under a draft).
//!
//! The traced check walks the policy's expression tree over each application's fact tree and
//! records every fact it reads and every comparison it makes; that costs microseconds and most of
//! it is pointer chasing. Here the policy is compiled once ([`BulkPolicy::compile`]) into a tree
//! whose fact references are slot numbers, the applications are laid out once in a [`Batch`] (one
//! column of cells per fact, one row per application, list items in one arena per list, texts
//! interned), and a check walks the compiled tree over one row. [`BulkPolicy::check_all`] runs
//! rule by rule over every row, so that each rule's tree and the columns it reads stay hot;
//! [`BulkPolicy::check`] checks one row.
//!
//! The semantics are the traced check's, case by case: Kleene three-valued logic, a missing fact
//! making the whole check incomplete, undefined numbers (division by zero) failing their
//! condition, look-back windows anchored at the application date, filters over list items,
//! attested rules needing their attachment. A differential test (`tests/bulk.rs`) holds both to the
//! same verdict and per-rule statuses over generated applications; the reasons of any verdict that
//! matters are then taken from the traced check.

mod compile;
mod run;
mod sum_ratio;

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;

use super::{Prepared, Status, Verdict, item_field, valid_until, year_of};
use crate::expr::{ArithOp, Band, Expr, ExprKind, ListOp, Literal, Window};
use crate::facts::{Fact, Path};
use crate::model::{Mode, Policy};
use compile::Compiler;
use run::*;
use sum_ratio::SumRatio;

/// A fact value in a [`Batch`]: scalars inline, texts interned, lists pointing into an arena.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Null,
    Bool(bool),
    Num(Decimal),
    Text(u32),
    Date(NaiveDate),
    /// Items `start..start + len` of the slot's arena (`start == u32::MAX` when the list is
    /// only tested for presence and has no arena).
    List {
        start: u32,
        len: u32,
    },
    /// A record used as a value: it is never equal to anything.
    Opaque,
}

/// Rows checked together by [`BulkPolicy::check_all`].
const BLOCK: usize = 256;

/// Why a bulk check gave no verdict; the traced check says the same with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkError {
    /// The application is dated after the day of the check.
    DatedInFuture,
    /// The application date is outside the policy's period of force.
    NotInForce,
    /// A rule needs a fact the application does not give (the rule's index).
    Incomplete {
        /// Index of the rule in the policy's eligibility rules.
        rule: usize,
    },
}

/// A compiled window; item fields are indices into the list's layout.
#[derive(Debug)]
enum CWindow {
    /// `at`: the index of the window's start among each row's [`Batch::starts`].
    Years {
        at: usize,
        date: usize,
    },
    Overlaps {
        at: usize,
        start: usize,
        end: usize,
    },
    CompleteYears {
        years: u32,
        field: usize,
        require_all: bool,
    },
}

#[derive(Debug)]
struct CList {
    slot: usize,
    field: Option<usize>,
    window: Option<CWindow>,
    filter: Option<Box<C>>,
}

/// A compiled expression.
#[derive(Debug)]
enum C {
    Lit(Cell),
    Fact(usize),
    Item(usize),
    Present(usize),
    All(Vec<C>),
    Any(Vec<C>),
    Not(Box<C>),
    Cmp(Op, Box<C>, Box<C>),
    OneOf(Box<C>, Vec<Cell>),
    Count(CList),
    CountDistinct(CList),
    Sum(CList),
    Average(CList),
    Arith(ArithOp, Vec<C>),
    Latest {
        slot: usize,
        field: usize,
        by: usize,
    },
    Ratio {
        n: Box<C>,
        d: Box<C>,
        by: Box<C>,
        bands: Vec<Band>,
    },
    // Specialised forms of the commonest shapes; each means exactly what its general form does.
    /// `one_of` over a fact.
    OneOfFact(usize, Vec<Cell>),
    /// `one_of` over an item field.
    OneOfItem(usize, Vec<Cell>),
    /// A comparison with a number literal on the right.
    CmpNum(Op, Box<C>, Decimal),
    /// A count compared with a whole-number literal, in integers.
    CountCmp(Op, CList, i64),
    /// A banded ratio of two sums over one list, in one pass.
    SumRatio(Box<SumRatio>),
}

#[derive(Debug, Clone, Copy)]
enum Op {
    AtLeast,
    AtMost,
    Equals,
}

#[derive(Debug)]
struct CRule {
    mode: Mode,
    applies_when: Option<C>,
    condition: Option<C>,
    /// Bit of the rule's evidence kind in a row's attachment mask.
    evidence: Option<u32>,
}

/// A policy's eligibility rules compiled for bulk checks.
#[derive(Debug)]
pub struct BulkPolicy<'p> {
    policy: &'p Policy,
    rules: Vec<CRule>,
    /// Slot → the fact path it holds.
    slots: Vec<Path>,
    /// Slot → the item fields read from it when it is iterated as a list.
    layouts: Vec<Option<Vec<Path>>>,
    /// Interned texts of the policy's literals.
    texts: HashMap<String, u32>,
    /// Attachment kinds that back attested rules, by bit.
    evidence: Vec<String>,
    /// The windows' look-back spans (years).
    spans: Vec<u32>,
    valid: (NaiveDate, NaiveDate),
}

/// Why a policy cannot be compiled for bulk checks (the traced check still works).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the bulk check cannot run this policy: {0}")]
pub struct Unsupported(pub String);

/// Applications laid out for bulk checks by one [`BulkPolicy`].
#[derive(Debug)]
pub struct Batch {
    /// Per slot, one cell per application.
    columns: Vec<Vec<Cell>>,
    anchors: Vec<NaiveDate>,
    attachments: Vec<u64>,
    /// Per slot: the items of every row's list, `stride` cells each.
    arenas: Vec<Vec<Cell>>,
    strides: Vec<usize>,
    /// Per row, the start of each look-back span of the policy's windows (`spans` per row):
    /// worked out once per application rather than once per window per rule.
    starts: Vec<NaiveDate>,
    spans: usize,
}

impl Batch {
    /// Number of applications.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether the batch holds no application.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

struct Interner(HashMap<String, u32>);

impl Interner {
    fn cell(&mut self, f: &Fact) -> Cell {
        match f {
            Fact::Null => Cell::Null,
            Fact::Bool(b) => Cell::Bool(*b),
            Fact::Num(n) => Cell::Num(*n),
            Fact::Date(d) => Cell::Date(*d),
            Fact::Text(t) => {
                let n = self.0.len() as u32;
                Cell::Text(*self.0.entry(t.to_string()).or_insert(n))
            }
            Fact::List(l) => Cell::List {
                start: u32::MAX,
                len: l.len() as u32,
            },
            Fact::Record(_) => Cell::Opaque,
        }
    }
}

impl<'p> BulkPolicy<'p> {
    /// Compiles the policy's eligibility rules.
    pub fn compile(policy: &'p Policy) -> Result<BulkPolicy<'p>, Unsupported> {
        let mut c = Compiler {
            slots: Vec::new(),
            layouts: Vec::new(),
            texts: HashMap::new(),
            evidence: Vec::new(),
            scope: Vec::new(),
            spans: Vec::new(),
        };
        let mut rules = Vec::with_capacity(policy.eligibility.len());
        for r in &policy.eligibility {
            let evidence = match (&r.mode, &r.evidence) {
                (Mode::Attested, e) => {
                    let kind = e.clone().unwrap_or_default();
                    let bit = match c.evidence.iter().position(|k| *k == kind) {
                        Some(i) => i,
                        None => {
                            c.evidence.push(kind);
                            c.evidence.len() - 1
                        }
                    };
                    if bit >= 64 {
                        return Err(Unsupported("more than 64 kinds of evidence".into()));
                    }
                    Some(bit as u32)
                }
                _ => None,
            };
            rules.push(CRule {
                mode: r.mode,
                applies_when: r.applies_when.as_ref().map(|e| c.expr(e)),
                condition: r.condition.as_ref().map(|e| c.expr(e)),
                evidence,
            });
        }
        Ok(BulkPolicy {
            policy,
            rules,
            slots: c.slots,
            layouts: c.layouts,
            texts: c.texts,
            evidence: c.evidence,
            spans: c.spans,
            valid: (policy.in_force_from, valid_until(policy)),
        })
    }

    /// The policy compiled.
    pub fn policy(&self) -> &'p Policy {
        self.policy
    }

    /// Lays applications out for checking. Each must have been prepared for this policy.
    pub fn batch<'a>(&self, apps: impl IntoIterator<Item = &'a Prepared>) -> Batch {
        let width = self.slots.len();
        let strides: Vec<usize> = self.layouts.iter().map(|l| l.as_ref().map_or(0, Vec::len)).collect();
        let mut b = Batch {
            columns: vec![Vec::new(); width],
            anchors: Vec::new(),
            attachments: Vec::new(),
            arenas: vec![Vec::new(); width],
            strides,
            starts: Vec::new(),
            spans: self.spans.len(),
        };
        let mut texts = Interner(self.texts.clone());
        for app in apps {
            let facts = app.facts();
            for (slot, path) in self.slots.iter().enumerate() {
                let fact = facts.get(path);
                let mut cell = fact.map_or(Cell::Null, |f| texts.cell(f));
                if let (Some(Fact::List(items)), Some(fields)) = (fact, &self.layouts[slot]) {
                    let start = b.arenas[slot].len() / b.strides[slot].max(1);
                    for item in items {
                        for f in fields {
                            let v = item_field(item, f).map_or(Cell::Null, |v| texts.cell(v));
                            b.arenas[slot].push(v);
                        }
                    }
                    // With no field read, the arena is empty and the items are only counted.
                    cell = Cell::List {
                        start: if fields.is_empty() { 0 } else { start as u32 },
                        len: items.len() as u32,
                    };
                }
                b.columns[slot].push(cell);
            }
            let anchor = app.application.application_date;
            b.anchors.push(anchor);
            b.starts
                .extend(self.spans.iter().map(|&years| years_before(anchor, years)));
            let mut mask = 0u64;
            for a in &app.application.attachments {
                if let Some(i) = self.evidence.iter().position(|k| *k == a.kind) {
                    mask |= 1 << i;
                }
            }
            b.attachments.push(mask);
        }
        b
    }

    /// Checks row `row` of the batch on `as_of`, writing each rule's status into `statuses`
    /// (which must hold one per rule) and returning the verdict.
    pub fn check(
        &self,
        batch: &Batch,
        row: usize,
        as_of: NaiveDate,
        statuses: &mut [Status],
    ) -> Result<Verdict, BulkError> {
        let anchor = batch.anchors[row];
        if anchor > as_of {
            return Err(BulkError::DatedInFuture);
        }
        if anchor < self.valid.0 || anchor > self.valid.1 {
            return Err(BulkError::NotInForce);
        }
        let mut run = Run {
            batch,
            row,
            anchor,
            item: None,
        };
        let (mut fail, mut review) = (false, false);
        for (i, rule) in self.rules.iter().enumerate() {
            let status = run
                .rule(rule, batch.attachments[row])
                .ok_or(BulkError::Incomplete { rule: i })?;
            fail |= status == Status::Fail;
            review |= status == Status::Review;
            statuses[i] = status;
        }
        Ok(if fail {
            Verdict::Ineligible
        } else if review {
            Verdict::NeedsReview
        } else {
            Verdict::Eligible
        })
    }

    /// Checks every row of the batch on `as_of`, rule by rule. `statuses` receives one status
    /// per rule for each row (row-major, `rules()` per row; the statuses of a row without a
    /// verdict are meaningless) and the answer holds each row's verdict or why there is none,
    /// exactly as [`check`](Self::check) gives them.
    pub fn check_all(
        &self,
        batch: &Batch,
        as_of: NaiveDate,
        statuses: &mut Vec<Status>,
    ) -> Vec<Result<Verdict, BulkError>> {
        let (rows, width) = (batch.len(), self.rules.len());
        statuses.clear();
        statuses.resize(rows * width, Status::NotApplicable);
        let mut out: Vec<Result<Verdict, BulkError>> = batch
            .anchors
            .iter()
            .map(|&anchor| {
                if anchor > as_of {
                    Err(BulkError::DatedInFuture)
                } else if anchor < self.valid.0 || anchor > self.valid.1 {
                    Err(BulkError::NotInForce)
                } else {
                    Ok(Verdict::Eligible)
                }
            })
            .collect();
        // Rows go in blocks small enough that a block's cells stay in cache from one rule to
        // the next; within a block, rule by rule, so that each rule's tree stays hot.
        for block in (0..rows).step_by(BLOCK) {
            let block = block..(block + BLOCK).min(rows);
            for (i, rule) in self.rules.iter().enumerate() {
                for row in block.clone() {
                    let o = &mut out[row];
                    // A row stops at its first rule that lacks a fact, as the traced check does.
                    if o.is_err() {
                        continue;
                    }
                    let mut run = Run {
                        batch,
                        row,
                        anchor: batch.anchors[row],
                        item: None,
                    };
                    match run.rule(rule, batch.attachments[row]) {
                        None => *o = Err(BulkError::Incomplete { rule: i }),
                        Some(s) => statuses[row * width + i] = s,
                    }
                }
            }
        }
        for (row, o) in out.iter_mut().enumerate() {
            if o.is_ok() {
                let st = &statuses[row * width..(row + 1) * width];
                *o = Ok(if st.contains(&Status::Fail) {
                    Verdict::Ineligible
                } else if st.contains(&Status::Review) {
                    Verdict::NeedsReview
                } else {
                    Verdict::Eligible
                });
            }
        }
        out
    }

    /// Number of rules (the length `check` needs for its statuses).
    pub fn rules(&self) -> usize {
        self.rules.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_by_multiplication_agrees_with_the_division() {
        assert_eq!(TEN_TO_21, Decimal::from_i128_with_scale(10_i128.pow(21), 0));
        let pct = |s: &str| s.parse::<Decimal>().unwrap();
        // Around 5%: 7,499,999 / 150,000,000 is 4.9999993%, 7,500,000 exactly 5%.
        for (n, d, min) in [
            (7_499_999_i64, 150_000_000_i64, "0.05"),
            (7_500_000, 150_000_000, "0.05"),
            (7_500_001, 150_000_000, "0.05"),
            (1, 3, "0.333333"),
            (1, 3, "0.333334"),
            (2, 3, "0.666667"),
            (0, 1, "0"),
            (999_999_999_999, 1_000_000_000_000, "0.999999"),
        ] {
            let (n, d, min) = (Decimal::from(n), Decimal::from(d), pct(min));
            let divided = n.checked_div(d).is_some_and(|r| r >= min);
            assert_eq!(ratio_at_least(n, d, min), divided, "{n} / {d} ≥ {min}");
        }
        // Outside the proven range the division itself is used.
        let (n, d) = (pct("7.5"), Decimal::from(150));
        assert!(ratio_at_least(n, d, pct("0.05")));
    }

    #[test]
    fn years_before_counts_like_month_arithmetic() {
        let mut d = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap();
        while d.year() < 2030 {
            for years in [1, 3, 5] {
                let expected = d.checked_sub_months(Months::new(12 * years)).unwrap();
                assert_eq!(years_before(d, years), expected, "{d} less {years} years");
            }
            d = d.succ_opt().unwrap();
        }
    }
}
