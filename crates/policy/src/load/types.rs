//! The condition language's static types: each expression of a rule inferred against the fact
//! catalogue, so that a policy comparing values of different types is refused at load.

use super::*;

/// Static types of the condition language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Bool,
    Num,
    Text,
    Date,
    List,
    Record,
}

impl Ty {
    fn of(f: FactType) -> Ty {
        match f {
            FactType::Bool => Ty::Bool,
            FactType::Num => Ty::Num,
            FactType::Text => Ty::Text,
            FactType::Date => Ty::Date,
            FactType::List => Ty::List,
            FactType::Record => Ty::Record,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Ty::Bool => "true/false",
            Ty::Num => "a number",
            Ty::Text => "text",
            Ty::Date => "a date",
            Ty::List => "a list",
            Ty::Record => "a record",
        }
    }
}

pub(super) struct Scope<'p> {
    policy: &'p Policy,
    list: Option<String>,
}

impl<'p> Scope<'p> {
    pub(super) fn top(policy: &'p Policy) -> Self {
        Scope { policy, list: None }
    }
}

fn fact_type(path: &str, at: &str) -> Result<Ty, Invalid> {
    catalogue_entry(path).map(|e| Ty::of(e.1)).ok_or_else(|| {
        bad(
            at,
            format!("`{path}` is not a fact of the application (see docs/application-facts.md for the catalogue)"),
        )
    })
}

fn item_type(list: &str, field: &str, at: &str) -> Result<Ty, Invalid> {
    catalogue_entry(&format!("{list}[].{field}"))
        .map(|e| Ty::of(e.1))
        .ok_or_else(|| bad(at, format!("items of `{list}` have no field `{field}`")))
}

/// The catalogue path a node reads, when it reads one fact or item field directly.
fn read_path(e: &Expr, scope: &Scope<'_>) -> Option<String> {
    match (&e.kind, &scope.list) {
        (ExprKind::Fact(p), _) => Some(p.to_string()),
        (ExprKind::Item(f), Some(list)) => Some(format!("{list}[].{f}")),
        _ => None,
    }
}

/// A text literal compared with a coded fact must be one of that fact's codes: a misspelt
/// code would otherwise silently never match and switch its rule off.
fn check_code(value: &Expr, lit: &Literal, scope: &Scope<'_>, at: &str) -> Result<(), Invalid> {
    let (Some(path), Literal::Text(code)) = (read_path(value, scope), lit) else {
        return Ok(());
    };
    let known: Vec<String> = match code_domain(&path) {
        None => return Ok(()),
        Some(CodeDomain::Country) => {
            return match guohe_reference::country::lookup(code) {
                Some(_) => Ok(()),
                None => Err(bad(
                    at,
                    format!(
                        "`{code}` is not an ISO 3166-1 alpha-2 country or region code, so `{path}` can never equal it"
                    ),
                )),
            };
        }
        Some(CodeDomain::Enumeration(codes)) => codes.to_vec(),
        Some(CodeDomain::Vocabulary(name)) => {
            let v = &scope.policy.vocabularies;
            let terms = match name {
                "categories" => &v.categories,
                _ => &v.unit_kinds,
            };
            if terms.is_empty() {
                return Err(bad(
                    at,
                    format!("`{path}` is compared with `{code}`, but the policy defines no vocabularies.{name}"),
                ));
            }
            terms.iter().map(|t| t.code.clone()).collect()
        }
    };
    if known.iter().any(|k| k == code) {
        return Ok(());
    }
    Err(bad(
        at,
        format!("`{code}` is not a code of `{path}`; its codes are {}", known.join(", ")),
    ))
}

pub(super) fn expect(e: &Expr, want: Ty, scope: &Scope<'_>, at: &str) -> Result<(), Invalid> {
    let got = infer(e, scope, at)?;
    if got != want {
        return Err(bad(at, format!("expected {}, but this is {}", want.name(), got.name())));
    }
    Ok(())
}

fn list_op(op: &ListOp, scope: &Scope<'_>, at: &str, field_ty: Option<Ty>) -> Result<(), Invalid> {
    if scope.list.is_some() {
        return Err(bad(at, "list operations cannot be nested inside `where`"));
    }
    if fact_type(&op.list, at)? != Ty::List {
        return Err(bad(at, format!("`{}` is not a list", op.list)));
    }
    if let Some(f) = &op.field {
        let t = item_type(&op.list, f, at)?;
        if let Some(want) = field_ty
            && t != want
        {
            return Err(bad(at, format!("`{f}` is {}, expected {}", t.name(), want.name())));
        }
    }
    // Each window field must hold dates (or, for complete years, a year number or a date).
    let (fields, years_ok): (Vec<&crate::facts::Path>, bool) = match &op.within {
        None => (vec![], false),
        Some(Window::Years { date_field, .. }) => (vec![date_field], false),
        Some(Window::Overlaps {
            start_field, end_field, ..
        }) => (vec![start_field, end_field], false),
        Some(Window::CompleteYears { field, .. }) => (vec![field], true),
    };
    for f in fields {
        let t = item_type(&op.list, f, at)?;
        if !(t == Ty::Date || (years_ok && t == Ty::Num)) {
            let what = if years_ok {
                "neither a year nor a date"
            } else {
                "not a date"
            };
            return Err(bad(format!("{at}.within"), format!("`{f}` is {what}")));
        }
    }
    if let Some(w) = &op.filter {
        let inner = Scope {
            policy: scope.policy,
            list: Some(op.list.to_string()),
        };
        expect(w, Ty::Bool, &inner, &format!("{at}.where"))?;
    }
    Ok(())
}

fn infer(e: &Expr, scope: &Scope<'_>, at: &str) -> Result<Ty, Invalid> {
    if let Some(a) = e.article {
        check_citation(scope.policy, a).map_err(|r| bad(format!("{at}.article"), r))?;
    }
    Ok(match &e.kind {
        ExprKind::Literal(Literal::Bool(_)) => Ty::Bool,
        ExprKind::Literal(Literal::Num(_)) => Ty::Num,
        ExprKind::Literal(Literal::Text(_)) => Ty::Text,
        ExprKind::Fact(path) => fact_type(path, &format!("{at}.fact"))?,
        ExprKind::Present(path) => {
            fact_type(path, &format!("{at}.present"))?;
            Ty::Bool
        }
        ExprKind::Item(field) => match &scope.list {
            None => return Err(bad(at, "`item` is only meaningful inside a list operation's `where`")),
            Some(list) => item_type(list, field, &format!("{at}.item"))?,
        },
        ExprKind::All(items) | ExprKind::Any(items) => {
            let op = if matches!(e.kind, ExprKind::All(_)) {
                "all"
            } else {
                "any"
            };
            for (i, c) in items.iter().enumerate() {
                expect(c, Ty::Bool, scope, &format!("{at}.{op}[{i}]"))?;
            }
            Ty::Bool
        }
        ExprKind::Not(c) => {
            expect(c, Ty::Bool, scope, &format!("{at}.not"))?;
            Ty::Bool
        }
        ExprKind::AtLeast(v, r) | ExprKind::AtMost(v, r) => {
            let op = if matches!(e.kind, ExprKind::AtLeast(..)) {
                "at_least"
            } else {
                "at_most"
            };
            let tv = infer(v, scope, &format!("{at}.{op}.value"))?;
            let tr = infer(r, scope, &format!("{at}.{op}"))?;
            if !matches!(tv, Ty::Num | Ty::Date) || tv != tr {
                return Err(bad(
                    format!("{at}.{op}"),
                    format!(
                        "compares {} with {}; both must be numbers (or both dates)",
                        tv.name(),
                        tr.name()
                    ),
                ));
            }
            Ty::Bool
        }
        ExprKind::Equals(v, r) => {
            let tv = infer(v, scope, &format!("{at}.equals.value"))?;
            let tr = infer(r, scope, &format!("{at}.equals.to"))?;
            if tv != tr {
                return Err(bad(
                    format!("{at}.equals"),
                    format!("compares {} with {}", tv.name(), tr.name()),
                ));
            }
            if let ExprKind::Literal(l) = &r.kind {
                check_code(v, l, scope, &format!("{at}.equals.to"))?;
            }
            if let ExprKind::Literal(l) = &v.kind {
                check_code(r, l, scope, &format!("{at}.equals.value"))?;
            }
            Ty::Bool
        }
        ExprKind::OneOf(v, set) => {
            let tv = infer(v, scope, &format!("{at}.one_of.value"))?;
            for (i, l) in set.iter().enumerate() {
                check_code(v, l, scope, &format!("{at}.one_of.set[{i}]"))?;
                let tl = match l {
                    Literal::Bool(_) => Ty::Bool,
                    Literal::Num(_) => Ty::Num,
                    Literal::Text(_) => Ty::Text,
                };
                if tl != tv {
                    return Err(bad(
                        format!("{at}.one_of.set[{i}]"),
                        format!("is {}, but the value is {}", tl.name(), tv.name()),
                    ));
                }
            }
            Ty::Bool
        }
        ExprKind::Count(op) => {
            list_op(op, scope, &format!("{at}.count"), None)?;
            Ty::Num
        }
        ExprKind::CountDistinct(op) => {
            list_op(op, scope, &format!("{at}.count_distinct"), None)?;
            Ty::Num
        }
        ExprKind::Sum(op) => {
            list_op(op, scope, &format!("{at}.sum"), Some(Ty::Num))?;
            Ty::Num
        }
        ExprKind::Average(op) => {
            list_op(op, scope, &format!("{at}.average"), Some(Ty::Num))?;
            Ty::Num
        }
        ExprKind::Arith(op, args) => {
            for (i, a) in args.iter().enumerate() {
                expect(a, Ty::Num, scope, &format!("{at}.{}[{i}]", op.name()))?;
            }
            Ty::Num
        }
        ExprKind::Latest { list, field, by } => {
            let here = format!("{at}.latest");
            if fact_type(list, &here)? != Ty::List {
                return Err(bad(here, format!("`{list}` is not a list")));
            }
            if !matches!(item_type(list, by, &here)?, Ty::Num | Ty::Date) {
                return Err(bad(
                    here,
                    format!("`{by}` cannot order items: it is neither a number nor a date"),
                ));
            }
            item_type(list, field, &here)?
        }
        ExprKind::RatioBanded {
            numerator,
            denominator,
            band_by,
            ..
        } => {
            let here = format!("{at}.ratio_banded");
            expect(numerator, Ty::Num, scope, &format!("{here}.numerator"))?;
            expect(denominator, Ty::Num, scope, &format!("{here}.denominator"))?;
            expect(band_by, Ty::Num, scope, &format!("{here}.band_by"))?;
            Ty::Bool
        }
    })
}
