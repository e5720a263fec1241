//! Checking one row of a [`Batch`] against the compiled rules: Kleene three-valued logic, a
//! missing fact making the check incomplete, look-back windows anchored at the application date.

use super::*;

/// A value while checking; `Err(Unknown)` is a missing fact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum V {
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
pub(super) struct Unknown;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum T {
    True,
    False,
    Undefined,
    Unknown,
}

pub(super) fn tb(b: bool) -> T {
    if b { T::True } else { T::False }
}

pub(super) struct Run<'b> {
    pub(super) batch: &'b Batch,
    pub(super) row: usize,
    pub(super) anchor: NaiveDate,
    /// (slot, item index) of the list item a filter is looking at.
    pub(super) item: Option<(usize, usize)>,
}

impl Run<'_> {
    pub(super) fn rule(&mut self, rule: &CRule, attachments: u64) -> Option<Status> {
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
    pub(super) fn of(&self, slot: usize, c: Cell) -> V {
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
    pub(super) fn item_cell(&self, slot: usize, index: usize, field: usize) -> Cell {
        self.batch.arenas[slot][index * self.batch.strides[slot] + field]
    }

    #[inline(always)]
    pub(super) fn fact(&self, slot: usize) -> Result<V, Unknown> {
        match self.batch.columns[slot][self.row] {
            Cell::Null => Err(Unknown),
            c => Ok(self.of(slot, c)),
        }
    }

    #[inline(always)]
    pub(super) fn list(&self, slot: usize) -> Result<(u32, u32), Unknown> {
        match self.fact(slot)? {
            V::List(_, start, len) => Ok((start, len)),
            _ => Err(Unknown),
        }
    }

    /// A value: the leaves (literals, facts, item fields) inline, the rest out of line, so that
    /// the common comparison of a fact with a literal makes no call.
    #[inline(always)]
    pub(super) fn value(&mut self, e: &C) -> Result<V, Unknown> {
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
    pub(super) fn computed(&mut self, e: &C) -> Result<V, Unknown> {
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

    pub(super) fn each(&mut self, op: &CList, mut f: impl FnMut(&Self, usize)) -> Result<(), Unknown> {
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

    pub(super) fn num(&mut self, e: &C) -> Result<Option<Decimal>, Unknown> {
        match self.value(e)? {
            V::Num(n) => Ok(Some(n)),
            V::Undefined => Ok(None),
            _ => Err(Unknown),
        }
    }

    pub(super) fn truth(&mut self, e: &C) -> T {
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
pub(super) fn ratio_at_least(n: Decimal, d: Decimal, min: Decimal) -> bool {
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
pub(super) const TEN_TO_21: Decimal = Decimal::from_parts(0xDEA0_0000, 0x35C9_ADC5, 0x36, false, 0);

/// `lit_eq` of the traced check: a literal equals a value of its own type only.
#[inline(always)]
pub(super) fn lit_matches(l: Cell, c: Cell) -> bool {
    match (l, c) {
        (Cell::Bool(a), Cell::Bool(b)) => a == b,
        (Cell::Num(a), Cell::Num(b)) => a == b,
        (Cell::Text(a), Cell::Text(b)) => a == b,
        _ => false,
    }
}

pub(super) fn tb_status(holds: bool, pass: Status) -> Status {
    if holds { pass } else { Status::Fail }
}

#[inline]
pub(super) fn cell_year(c: Cell) -> Option<i32> {
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
pub(super) fn years_before(anchor: NaiveDate, years: u32) -> NaiveDate {
    let y = anchor.year() - years as i32;
    anchor
        .with_year(y)
        .or_else(|| NaiveDate::from_ymd_opt(y, anchor.month(), 28))
        .or_else(|| anchor.checked_sub_months(Months::new(12 * years)))
        .unwrap_or(NaiveDate::MIN)
}
