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

mod sum_ratio;

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;

use super::{Prepared, Status, Verdict, item_field, valid_until, year_of};
use crate::expr::{ArithOp, Band, Expr, ExprKind, ListOp, Literal, Window};
use crate::facts::{Fact, Path};
use crate::model::{Mode, Policy};
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

struct Compiler {
    slots: Vec<Path>,
    layouts: Vec<Option<Vec<Path>>>,
    texts: HashMap<String, u32>,
    evidence: Vec<String>,
    /// The slot of the list whose items `item:` refers to, innermost last.
    scope: Vec<usize>,
    /// The look-back spans (years) of the windows, each once.
    spans: Vec<u32>,
}

impl Compiler {
    fn slot(&mut self, p: &Path) -> usize {
        match self.slots.iter().position(|s| s.as_str() == p.as_str()) {
            Some(i) => i,
            None => {
                self.slots.push(p.clone());
                self.layouts.push(None);
                self.slots.len() - 1
            }
        }
    }

    fn field(&mut self, slot: usize, p: &Path) -> usize {
        let layout = self.layouts[slot].get_or_insert_with(Vec::new);
        match layout.iter().position(|f| f.as_str() == p.as_str()) {
            Some(i) => i,
            None => {
                layout.push(p.clone());
                layout.len() - 1
            }
        }
    }

    fn span(&mut self, years: u32) -> usize {
        match self.spans.iter().position(|&y| y == years) {
            Some(i) => i,
            None => {
                self.spans.push(years);
                self.spans.len() - 1
            }
        }
    }

    fn text(&mut self, t: &str) -> u32 {
        let n = self.texts.len() as u32;
        *self.texts.entry(t.to_string()).or_insert(n)
    }

    fn lit(&mut self, l: &Literal) -> Cell {
        match l {
            Literal::Bool(b) => Cell::Bool(*b),
            Literal::Num(n) => Cell::Num(*n),
            Literal::Text(t) => Cell::Text(self.text(t)),
        }
    }

    fn list(&mut self, op: &ListOp) -> CList {
        let slot = self.slot(&op.list);
        // The arena exists even when no field is read, so that items can be counted.
        self.layouts[slot].get_or_insert_with(Vec::new);
        let field = op.field.as_ref().map(|f| self.field(slot, f));
        let window = op.within.as_ref().map(|w| match w {
            Window::Years { years, date_field } => CWindow::Years {
                at: self.span(*years),
                date: self.field(slot, date_field),
            },
            Window::Overlaps {
                years,
                start_field,
                end_field,
            } => CWindow::Overlaps {
                at: self.span(*years),
                start: self.field(slot, start_field),
                end: self.field(slot, end_field),
            },
            Window::CompleteYears {
                years,
                field,
                require_all,
            } => CWindow::CompleteYears {
                years: *years,
                field: self.field(slot, field),
                require_all: *require_all,
            },
        });
        self.scope.push(slot);
        let filter = op.filter.as_ref().map(|f| Box::new(self.expr(f)));
        self.scope.pop();
        CList {
            slot,
            field,
            window,
            filter,
        }
    }

    fn compare(&mut self, op: Op, a: &Expr, b: &Expr) -> C {
        let ExprKind::Literal(Literal::Num(n)) = &b.kind else {
            return C::Cmp(op, Box::new(self.expr(a)), Box::new(self.expr(b)));
        };
        let whole = (n.fract().is_zero()).then(|| i64::try_from(n.trunc()).ok()).flatten();
        match (&a.kind, whole) {
            (ExprKind::Count(list), Some(k)) => C::CountCmp(op, self.list(list), k),
            _ => C::CmpNum(op, Box::new(self.expr(a)), *n),
        }
    }

    fn expr(&mut self, e: &Expr) -> C {
        match &e.kind {
            ExprKind::Literal(l) => C::Lit(self.lit(l)),
            ExprKind::Fact(p) => C::Fact(self.slot(p)),
            ExprKind::Item(p) => match self.scope.last() {
                Some(&slot) => C::Item(self.field(slot, p)),
                // Outside a filter there is no item: the value is absent.
                None => C::Lit(Cell::Null),
            },
            ExprKind::Present(p) => C::Present(self.slot(p)),
            ExprKind::All(xs) => C::All(xs.iter().map(|x| self.expr(x)).collect()),
            ExprKind::Any(xs) => C::Any(xs.iter().map(|x| self.expr(x)).collect()),
            ExprKind::Not(x) => C::Not(Box::new(self.expr(x))),
            ExprKind::AtLeast(a, b) => self.compare(Op::AtLeast, a, b),
            ExprKind::AtMost(a, b) => self.compare(Op::AtMost, a, b),
            ExprKind::Equals(a, b) => self.compare(Op::Equals, a, b),
            ExprKind::OneOf(v, set) => {
                let v = self.expr(v);
                let set: Vec<Cell> = set.iter().map(|l| self.lit(l)).collect();
                match v {
                    C::Fact(slot) => C::OneOfFact(slot, set),
                    C::Item(field) => C::OneOfItem(field, set),
                    v => C::OneOf(Box::new(v), set),
                }
            }
            ExprKind::Count(op) => C::Count(self.list(op)),
            ExprKind::CountDistinct(op) => C::CountDistinct(self.list(op)),
            ExprKind::Sum(op) => C::Sum(self.list(op)),
            ExprKind::Average(op) => C::Average(self.list(op)),
            ExprKind::Arith(op, xs) => C::Arith(*op, xs.iter().map(|x| self.expr(x)).collect()),
            ExprKind::Latest { list, field, by } => {
                let slot = self.slot(list);
                C::Latest {
                    slot,
                    field: self.field(slot, field),
                    by: self.field(slot, by),
                }
            }
            ExprKind::RatioBanded {
                numerator,
                denominator,
                band_by,
                bands,
            } => {
                let general = C::Ratio {
                    n: Box::new(self.expr(numerator)),
                    d: Box::new(self.expr(denominator)),
                    by: Box::new(self.expr(band_by)),
                    bands: bands.clone(),
                };
                self.sum_ratio(numerator, denominator, band_by, bands, general)
                    .unwrap_or_else(|general| general)
            }
        }
    }

    /// The single-pass form of a ratio of two sums over the same list and window, or the
    /// general form back when the ratio is not of that shape.
    fn sum_ratio(
        &mut self,
        numerator: &Expr,
        denominator: &Expr,
        band_by: &Expr,
        bands: &[Band],
        general: C,
    ) -> Result<C, C> {
        let (ExprKind::Sum(a), ExprKind::Sum(b)) = (&numerator.kind, &denominator.kind) else {
            return Err(general);
        };
        let (Some(fa), Some(fb)) = (&a.field, &b.field) else {
            return Err(general);
        };
        if a.list != b.list || a.within != b.within || a.filter.is_some() || b.filter.is_some() {
            return Err(general);
        }
        let list = self.list(a);
        if !SumRatio::fits(&list) {
            return Err(general);
        }
        let slot = list.slot;
        let latest = match &band_by.kind {
            ExprKind::Latest { list, field, by } if *list == a.list => {
                Some((self.field(slot, field), self.field(slot, by)))
            }
            _ => None,
        };
        Ok(C::SumRatio(Box::new(SumRatio {
            numerator: self.field(slot, fa),
            denominator: self.field(slot, fb),
            list,
            latest,
            band_by: Box::new(self.expr(band_by)),
            bands: bands.to_vec(),
            whole_up_to: bands
                .iter()
                .map(|b| b.up_to.filter(|u| u.scale() == 0).map(|u| u.mantissa()))
                .collect(),
            general: Box::new(general),
        })))
    }
}

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

/// A value while checking; `Err(Unknown)` is a missing fact.
#[derive(Debug, Clone, Copy, PartialEq)]
enum V {
    Null,
    Bool(bool),
    Num(Decimal),
    Text(u32),
    Date(NaiveDate),
    List(usize, u32, u32),
    Opaque,
    Undefined,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Unknown;

#[derive(Debug, Clone, Copy, PartialEq)]
enum T {
    True,
    False,
    Undefined,
    Unknown,
}

fn tb(b: bool) -> T {
    if b { T::True } else { T::False }
}

struct Run<'b> {
    batch: &'b Batch,
    row: usize,
    anchor: NaiveDate,
    /// (slot, item index) of the list item a filter is looking at.
    item: Option<(usize, usize)>,
}

impl Run<'_> {
    fn rule(&mut self, rule: &CRule, attachments: u64) -> Option<Status> {
        if let Some(when) = &rule.applies_when {
            match self.truth(when) {
                T::Unknown => return None,
                T::True => {}
                _ => return Some(Status::NotApplicable),
            }
        }
        let holds = match &rule.condition {
            Some(c) => match self.truth(c) {
                T::Unknown => return None,
                t => t == T::True,
            },
            None => true,
        };
        Some(match rule.mode {
            Mode::Computed => tb_status(holds, Status::Pass),
            Mode::Judged => tb_status(holds, Status::Review),
            Mode::Attested => {
                let has = rule.evidence.is_some_and(|bit| attachments & (1 << bit) != 0);
                tb_status(holds && has, Status::Pass)
            }
        })
    }

    #[inline(always)]
    fn of(&self, slot: usize, c: Cell) -> V {
        match c {
            Cell::Null => V::Null,
            Cell::Bool(b) => V::Bool(b),
            Cell::Num(n) => V::Num(n),
            Cell::Text(t) => V::Text(t),
            Cell::Date(d) => V::Date(d),
            Cell::List { start, len } => V::List(slot, start, len),
            Cell::Opaque => V::Opaque,
        }
    }

    #[inline(always)]
    fn item_cell(&self, slot: usize, index: usize, field: usize) -> Cell {
        self.batch.arenas[slot][index * self.batch.strides[slot] + field]
    }

    #[inline(always)]
    fn fact(&self, slot: usize) -> Result<V, Unknown> {
        match self.batch.columns[slot][self.row] {
            Cell::Null => Err(Unknown),
            c => Ok(self.of(slot, c)),
        }
    }

    #[inline(always)]
    fn list(&self, slot: usize) -> Result<(u32, u32), Unknown> {
        match self.fact(slot)? {
            V::List(_, start, len) => Ok((start, len)),
            _ => Err(Unknown),
        }
    }

    /// A value: the leaves (literals, facts, item fields) inline, the rest out of line, so that
    /// the common comparison of a fact with a literal makes no call.
    #[inline(always)]
    fn value(&mut self, e: &C) -> Result<V, Unknown> {
        match e {
            C::Lit(c) => Ok(self.of(usize::MAX, *c)),
            C::Fact(slot) => self.fact(*slot),
            C::Item(field) => Ok(match self.item {
                Some((slot, i)) => {
                    let c = self.item_cell(slot, i, *field);
                    self.of(usize::MAX, c)
                }
                None => V::Null,
            }),
            _ => self.computed(e),
        }
    }

    #[inline(never)]
    fn computed(&mut self, e: &C) -> Result<V, Unknown> {
        Ok(match e {
            C::Lit(c) => self.of(usize::MAX, *c),
            C::Fact(slot) => self.fact(*slot)?,
            C::Item(field) => match self.item {
                Some((slot, i)) => {
                    let c = self.item_cell(slot, i, *field);
                    self.of(usize::MAX, c)
                }
                None => V::Null,
            },
            C::Count(op) => {
                let mut n = 0i64;
                self.each(op, |_, _| n += 1)?;
                V::Num(Decimal::from(n))
            }
            C::Sum(op) => {
                let mut total = Decimal::ZERO;
                self.each(op, |r, i| {
                    if let Some(Cell::Num(x)) = op.field.map(|f| r.item_cell(op.slot, i, f)) {
                        total += x;
                    }
                })?;
                V::Num(total)
            }
            C::Average(op) => {
                let (mut total, mut n) = (Decimal::ZERO, 0i64);
                self.each(op, |r, i| {
                    if let Some(Cell::Num(x)) = op.field.map(|f| r.item_cell(op.slot, i, f)) {
                        total += x;
                        n += 1;
                    }
                })?;
                match total.checked_div(Decimal::from(n)) {
                    Some(avg) if n > 0 => V::Num(avg),
                    _ => V::Undefined,
                }
            }
            C::CountDistinct(op) => {
                // Lists are short: the distinct values are kept on the stack while they fit.
                let mut seen = [Cell::Null; 16];
                let (mut n, mut more): (usize, Vec<Cell>) = (0, Vec::new());
                self.each(op, |r, i| {
                    if let Some(c) = op.field.map(|f| r.item_cell(op.slot, i, f))
                        && c != Cell::Null
                        && c != Cell::Opaque
                        && !seen[..n].contains(&c)
                        && !more.contains(&c)
                    {
                        if n < seen.len() {
                            seen[n] = c;
                            n += 1;
                        } else {
                            more.push(c);
                        }
                    }
                })?;
                V::Num(Decimal::from((n + more.len()) as i64))
            }
            C::Arith(op, args) => {
                let mut acc: Option<Decimal> = None;
                let mut undefined = false;
                for a in args {
                    let x = match self.value(a)? {
                        V::Num(x) => x,
                        _ => {
                            undefined = true;
                            continue;
                        }
                    };
                    acc = Some(match acc {
                        None => x,
                        Some(s) => {
                            let r = match op {
                                ArithOp::Add => s.checked_add(x),
                                ArithOp::Subtract => s.checked_sub(x),
                                ArithOp::Multiply => s.checked_mul(x),
                                ArithOp::Divide => s.checked_div(x),
                            };
                            r.unwrap_or_else(|| {
                                undefined = true;
                                s
                            })
                        }
                    });
                }
                match acc {
                    Some(v) if !undefined => V::Num(v),
                    _ => V::Undefined,
                }
            }
            C::Latest { slot, field, by } => {
                let (start, len) = self.list(*slot)?;
                let mut latest: Option<(Decimal, usize)> = None;
                for i in start as usize..(start + len) as usize {
                    let key = match self.item_cell(*slot, i, *by) {
                        Cell::Num(n) => n,
                        Cell::Date(d) => Decimal::from(d.num_days_from_ce()),
                        _ => continue,
                    };
                    // Like `Iterator::max_by`, the last of equal keys wins.
                    if latest.is_none_or(|(k, _)| key >= k) {
                        latest = Some((key, i));
                    }
                }
                match latest.map(|(_, i)| self.item_cell(*slot, i, *field)) {
                    None | Some(Cell::Null) => return Err(Unknown),
                    Some(c) => self.of(usize::MAX, c),
                }
            }
            _ => match self.truth(e) {
                T::True => V::Bool(true),
                T::False => V::Bool(false),
                T::Undefined => V::Undefined,
                T::Unknown => return Err(Unknown),
            },
        })
    }

    fn each(&mut self, op: &CList, mut f: impl FnMut(&Self, usize)) -> Result<(), Unknown> {
        let (start, len) = self.list(op.slot)?;
        let anchor = self.anchor;
        let window_start = match &op.window {
            Some(CWindow::Years { at, .. } | CWindow::Overlaps { at, .. }) => {
                self.batch.starts[self.row * self.batch.spans + at]
            }
            _ => NaiveDate::MIN,
        };
        let range = start as usize..(start + len) as usize;
        if let Some(CWindow::CompleteYears {
            years,
            field,
            require_all: true,
        }) = &op.window
        {
            let first = anchor.year() - *years as i32;
            for y in first..anchor.year() {
                if !range
                    .clone()
                    .any(|i| cell_year(self.item_cell(op.slot, i, *field)) == Some(y))
                {
                    return Err(Unknown);
                }
            }
        }
        let saved = self.item;
        for i in range {
            let in_window = match &op.window {
                None => true,
                Some(CWindow::Years { date, .. }) => match self.item_cell(op.slot, i, *date) {
                    Cell::Date(d) => d > window_start && d <= anchor,
                    _ => false,
                },
                Some(CWindow::Overlaps { start, end, .. }) => {
                    let started = matches!(self.item_cell(op.slot, i, *start), Cell::Date(d) if d <= anchor);
                    let not_ended_before = match self.item_cell(op.slot, i, *end) {
                        Cell::Date(d) => d > window_start,
                        _ => true,
                    };
                    started && not_ended_before
                }
                Some(CWindow::CompleteYears { years, field, .. }) => cell_year(self.item_cell(op.slot, i, *field))
                    .is_some_and(|y| y >= anchor.year() - *years as i32 && y < anchor.year()),
            };
            if !in_window {
                continue;
            }
            if let Some(filter) = &op.filter {
                self.item = Some((op.slot, i));
                let keep = self.truth(filter) == T::True;
                self.item = saved;
                if !keep {
                    continue;
                }
            }
            f(self, i);
        }
        Ok(())
    }

    fn num(&mut self, e: &C) -> Result<Option<Decimal>, Unknown> {
        match self.value(e)? {
            V::Num(n) => Ok(Some(n)),
            V::Undefined => Ok(None),
            _ => Err(Unknown),
        }
    }

    fn truth(&mut self, e: &C) -> T {
        match e {
            C::All(xs) => {
                let (mut unknown, mut undefined) = (false, false);
                for x in xs {
                    match self.truth(x) {
                        T::False => return T::False,
                        T::Unknown => unknown = true,
                        T::Undefined => undefined = true,
                        T::True => {}
                    }
                }
                if unknown {
                    T::Unknown
                } else if undefined {
                    T::Undefined
                } else {
                    T::True
                }
            }
            C::Any(xs) => {
                let (mut unknown, mut undefined) = (false, false);
                for x in xs {
                    match self.truth(x) {
                        T::True => return T::True,
                        T::Unknown => unknown = true,
                        T::Undefined => undefined = true,
                        T::False => {}
                    }
                }
                if unknown {
                    T::Unknown
                } else if undefined {
                    T::Undefined
                } else {
                    T::False
                }
            }
            C::Not(x) => match self.truth(x) {
                T::True => T::False,
                T::False => T::True,
                u => u,
            },
            C::Present(slot) => tb(self.batch.columns[*slot][self.row] != Cell::Null),
            C::OneOfFact(slot, set) => match self.batch.columns[*slot][self.row] {
                Cell::Null => T::Unknown,
                c => tb(set.iter().any(|l| lit_matches(*l, c))),
            },
            C::OneOfItem(field, set) => match self.item {
                Some((slot, i)) => {
                    let c = self.item_cell(slot, i, *field);
                    tb(set.iter().any(|l| lit_matches(*l, c)))
                }
                None => T::False,
            },
            C::CmpNum(op, v, b) => match self.value(v) {
                Err(Unknown) => T::Unknown,
                Ok(V::Undefined) => T::Undefined,
                Ok(V::Num(a)) => tb(match op {
                    Op::AtLeast => a >= *b,
                    Op::AtMost => a <= *b,
                    Op::Equals => a == *b,
                }),
                Ok(_) => T::False,
            },
            C::CountCmp(op, list, k) => {
                let mut n = 0i64;
                match self.each(list, |_, _| n += 1) {
                    Err(Unknown) => T::Unknown,
                    Ok(()) => tb(match op {
                        Op::AtLeast => n >= *k,
                        Op::AtMost => n <= *k,
                        Op::Equals => n == *k,
                    }),
                }
            }
            C::Cmp(op, v, r) => {
                let (a, b) = (self.value(v), self.value(r));
                let (a, b) = match (a, b) {
                    (Ok(V::Undefined), _) | (_, Ok(V::Undefined)) => return T::Undefined,
                    (Ok(a), Ok(b)) => (a, b),
                    _ => return T::Unknown,
                };
                tb(match (a, b, op) {
                    (V::Num(a), V::Num(b), Op::AtLeast) => a >= b,
                    (V::Num(a), V::Num(b), Op::AtMost) => a <= b,
                    (V::Date(a), V::Date(b), Op::AtLeast) => a >= b,
                    (V::Date(a), V::Date(b), Op::AtMost) => a <= b,
                    (V::Opaque, _, Op::Equals) | (_, V::Opaque, Op::Equals) => false,
                    (a, b, Op::Equals) => a == b,
                    _ => false,
                })
            }
            C::OneOf(v, set) => match self.value(v) {
                Err(Unknown) => T::Unknown,
                Ok(V::Undefined) => T::Undefined,
                Ok(actual) => tb(set.iter().any(|l| match (l, actual) {
                    (Cell::Bool(a), V::Bool(b)) => *a == b,
                    (Cell::Num(a), V::Num(b)) => *a == b,
                    (Cell::Text(a), V::Text(b)) => *a == b,
                    _ => false,
                })),
            },
            C::SumRatio(r) => self.sum_ratio(r),
            C::Ratio { n, d, by, bands } => {
                let (n, d, b) = (self.num(n), self.num(d), self.num(by));
                let (n, d, b) = match (n, d, b) {
                    (Ok(Some(n)), Ok(Some(d)), Ok(Some(b))) => (n, d, b),
                    (Err(_), _, _) | (_, Err(_), _) | (_, _, Err(_)) => return T::Unknown,
                    _ => return T::Undefined,
                };
                let band = bands
                    .iter()
                    .find(|x| x.up_to.is_none_or(|u| b <= u))
                    .unwrap_or(&bands[bands.len() - 1]);
                tb(!d.is_zero() && ratio_at_least(n, d, band.min_ratio))
            }
            _ => match self.value(e) {
                Ok(V::Bool(b)) => tb(b),
                Ok(V::Undefined) => T::Undefined,
                Ok(_) => T::False,
                Err(Unknown) => T::Unknown,
            },
        }
    }
}

/// Whether `n / d ≥ min`, as the traced check decides it (dividing, rounded to 28 significant
/// digits). Division is the dearest step of a check, so when the operands make it provably the
/// same answer the comparison is made by multiplying instead: whole numbers `0 ≤ n < 10²¹`,
/// `0 < d`, and `min` with at most 6 decimals. Then `min·d − n`, if not zero, is at least
/// 10⁻⁶ away, more than the rounding of the quotient can move it (half a unit in the 28th digit
/// of `n / d`, under 10⁻⁶ / d for such `n`), so both ways agree.
#[inline]
fn ratio_at_least(n: Decimal, d: Decimal, min: Decimal) -> bool {
    if n.scale() == 0
        && d.scale() == 0
        && min.scale() <= 6
        && !n.is_sign_negative()
        && d.is_sign_positive()
        && !d.is_zero()
        && n < TEN_TO_21
        && let Some(product) = min.checked_mul(d)
    {
        return n >= product;
    }
    n.checked_div(d).is_some_and(|r| r >= min)
}

/// 10²¹ (lo, mid, hi words of the 96-bit mantissa).
const TEN_TO_21: Decimal = Decimal::from_parts(0xDEA0_0000, 0x35C9_ADC5, 0x36, false, 0);

/// `lit_eq` of the traced check: a literal equals a value of its own type only.
#[inline(always)]
fn lit_matches(l: Cell, c: Cell) -> bool {
    match (l, c) {
        (Cell::Bool(a), Cell::Bool(b)) => a == b,
        (Cell::Num(a), Cell::Num(b)) => a == b,
        (Cell::Text(a), Cell::Text(b)) => a == b,
        _ => false,
    }
}

fn tb_status(holds: bool, pass: Status) -> Status {
    if holds { pass } else { Status::Fail }
}

#[inline]
fn cell_year(c: Cell) -> Option<i32> {
    match c {
        // A whole number written without decimals is its own year; the general rule is the
        // traced check's.
        Cell::Num(n) if n.scale() == 0 => i32::try_from(n.mantissa()).ok(),
        Cell::Num(n) => year_of(Some(&Fact::Num(n))),
        Cell::Date(d) => Some(d.year()),
        _ => None,
    }
}

/// `anchor` less `years` × 12 months, as `checked_sub_months` counts it (29 February goes to
/// the 28th), without month arithmetic.
#[inline]
fn years_before(anchor: NaiveDate, years: u32) -> NaiveDate {
    let y = anchor.year() - years as i32;
    anchor
        .with_year(y)
        .or_else(|| NaiveDate::from_ymd_opt(y, anchor.month(), 28))
        .or_else(|| anchor.checked_sub_months(Months::new(12 * years)))
        .unwrap_or(NaiveDate::MIN)
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
