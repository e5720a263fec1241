//! The interpreter: an expression of a rule evaluated over an application's facts, each fact it
//! reads and each comparison that decides it kept for the trace.

use chrono::Datelike;
use rust_decimal::Decimal;

use super::*;

/// Evaluation failed on a missing fact.
pub(super) struct NeedFact<'a>(pub(super) &'a Rule, pub(super) Missing<'a>);

pub(super) struct Ctx<'a, 'e> {
    pub(super) facts: &'a FactTree,
    pub(super) anchor: NaiveDate,
    pub(super) item: Option<&'a Fact>,
    pub(super) item_list: &'a str,
    pub(super) negated: bool,
    pub(super) uses: &'e mut Vec<FactUse<'a>>,
    pub(super) details: &'e mut Vec<Detail<'a>>,
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
    pub(super) fn truth(&mut self, e: &'a Expr) -> Result<Option<bool>, Missing<'a>> {
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
pub(super) fn item_field<'a>(item: &'a Fact, field: &Path) -> Option<&'a Fact> {
    match field.syms() {
        [s] => item.field_sym(*s),
        _ => None,
    }
}

pub(super) fn year_of(f: Option<&Fact>) -> Option<i32> {
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
