//! Compiling a policy for bulk checks: fact paths to slots, texts interned, windows' spans
//! gathered.

use super::*;

pub(super) struct Compiler {
    pub(super) slots: Vec<Path>,
    pub(super) layouts: Vec<Option<Vec<Path>>>,
    pub(super) texts: HashMap<String, u32>,
    pub(super) evidence: Vec<String>,
    /// The slot of the list whose items `item:` refers to, innermost last.
    pub(super) scope: Vec<usize>,
    /// The look-back spans (years) of the windows, each once.
    pub(super) spans: Vec<u32>,
}

impl Compiler {
    pub(super) fn slot(&mut self, p: &Path) -> usize {
        match self.slots.iter().position(|s| s.as_str() == p.as_str()) {
            Some(i) => i,
            None => {
                self.slots.push(p.clone());
                self.layouts.push(None);
                self.slots.len() - 1
            }
        }
    }

    pub(super) fn field(&mut self, slot: usize, p: &Path) -> usize {
        let layout = self.layouts[slot].get_or_insert_with(Vec::new);
        match layout.iter().position(|f| f.as_str() == p.as_str()) {
            Some(i) => i,
            None => {
                layout.push(p.clone());
                layout.len() - 1
            }
        }
    }

    pub(super) fn span(&mut self, years: u32) -> usize {
        match self.spans.iter().position(|&y| y == years) {
            Some(i) => i,
            None => {
                self.spans.push(years);
                self.spans.len() - 1
            }
        }
    }

    pub(super) fn text(&mut self, t: &str) -> u32 {
        let n = self.texts.len() as u32;
        *self.texts.entry(t.to_string()).or_insert(n)
    }

    pub(super) fn lit(&mut self, l: &Literal) -> Cell {
        match l {
            Literal::Bool(b) => Cell::Bool(*b),
            Literal::Num(n) => Cell::Num(*n),
            Literal::Text(t) => Cell::Text(self.text(t)),
        }
    }

    pub(super) fn list(&mut self, op: &ListOp) -> CList {
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

    pub(super) fn compare(&mut self, op: Op, a: &Expr, b: &Expr) -> C {
        let ExprKind::Literal(Literal::Num(n)) = &b.kind else {
            return C::Cmp(op, Box::new(self.expr(a)), Box::new(self.expr(b)));
        };
        let whole = (n.fract().is_zero()).then(|| i64::try_from(n.trunc()).ok()).flatten();
        match (&a.kind, whole) {
            (ExprKind::Count(list), Some(k)) => C::CountCmp(op, self.list(list), k),
            _ => C::CmpNum(op, Box::new(self.expr(a)), *n),
        }
    }

    pub(super) fn expr(&mut self, e: &Expr) -> C {
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
    pub(super) fn sum_ratio(
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
