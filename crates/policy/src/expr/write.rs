//! [`Expr`] back into the YAML it was read from (what the policy tools print and compare).

use super::*;

fn lit_yaml(l: &Literal) -> Yaml {
    match l {
        Literal::Bool(b) => Yaml::Bool(*b),
        // Integers stay integers; other decimals go through their shortest exact float text.
        Literal::Num(n) => match i64::try_from(*n).ok().filter(|_| n.fract().is_zero()) {
            Some(i) => Yaml::from(i),
            None => n
                .to_string()
                .parse::<f64>()
                .map(Yaml::from)
                .unwrap_or_else(|_| Yaml::String(format!("{}%", n * Decimal::ONE_HUNDRED))),
        },
        Literal::Text(t) => Yaml::String(t.clone()),
    }
}

fn map(pairs: Vec<(&str, Yaml)>) -> Yaml {
    let mut m = serde_yaml_ng::Mapping::new();
    for (k, v) in pairs {
        m.insert(Yaml::String(k.to_string()), v);
    }
    Yaml::Mapping(m)
}

fn window_yaml(w: &Window) -> Yaml {
    match w {
        Window::Years { years, date_field } => map(vec![
            ("years", Yaml::from(*years)),
            ("date_field", Yaml::from(date_field.as_str())),
        ]),
        Window::Overlaps {
            years,
            start_field,
            end_field,
        } => map(vec![
            ("years", Yaml::from(*years)),
            ("start_field", Yaml::from(start_field.as_str())),
            ("end_field", Yaml::from(end_field.as_str())),
        ]),
        Window::CompleteYears {
            years,
            field,
            require_all,
        } => map(vec![
            ("complete_years", Yaml::from(*years)),
            ("field", Yaml::from(field.as_str())),
            ("require_all", Yaml::Bool(*require_all)),
        ]),
    }
}

fn list_yaml(l: &ListOp) -> Yaml {
    let mut pairs = vec![("list", Yaml::from(l.list.as_str()))];
    if let Some(f) = &l.field {
        pairs.push(("field", Yaml::from(f.as_str())));
    }
    if let Some(w) = &l.within {
        pairs.push(("within", window_yaml(w)));
    }
    if let Some(c) = &l.filter {
        pairs.push(("where", to_yaml(c)));
    }
    map(pairs)
}

/// Writes an expression back as the YAML a policy file would contain.
pub fn to_yaml(e: &Expr) -> Yaml {
    let (name, body) = match &e.kind {
        ExprKind::Literal(l) if e.article.is_none() && e.label.is_none() => return lit_yaml(l),
        ExprKind::Literal(l) => ("equals", map(vec![("value", lit_yaml(l)), ("to", lit_yaml(l))])),
        ExprKind::Fact(p) => ("fact", Yaml::from(p.as_str())),
        ExprKind::Item(p) => ("item", Yaml::from(p.as_str())),
        ExprKind::Present(p) => ("present", Yaml::from(p.as_str())),
        ExprKind::All(v) => ("all", Yaml::Sequence(v.iter().map(to_yaml).collect())),
        ExprKind::Any(v) => ("any", Yaml::Sequence(v.iter().map(to_yaml).collect())),
        ExprKind::Not(c) => ("not", to_yaml(c)),
        ExprKind::AtLeast(a, b) => ("at_least", map(vec![("value", to_yaml(a)), ("min", to_yaml(b))])),
        ExprKind::AtMost(a, b) => ("at_most", map(vec![("value", to_yaml(a)), ("max", to_yaml(b))])),
        ExprKind::Equals(a, b) => ("equals", map(vec![("value", to_yaml(a)), ("to", to_yaml(b))])),
        ExprKind::OneOf(a, set) => (
            "one_of",
            map(vec![
                ("value", to_yaml(a)),
                ("set", Yaml::Sequence(set.iter().map(lit_yaml).collect())),
            ]),
        ),
        ExprKind::Count(l) => ("count", list_yaml(l)),
        ExprKind::CountDistinct(l) => ("count_distinct", list_yaml(l)),
        ExprKind::Sum(l) => ("sum", list_yaml(l)),
        ExprKind::Average(l) => ("average", list_yaml(l)),
        ExprKind::Arith(op, args) => (op.name(), Yaml::Sequence(args.iter().map(to_yaml).collect())),
        ExprKind::Latest { list, field, by } => (
            "latest",
            map(vec![
                ("list", Yaml::from(list.as_str())),
                ("field", Yaml::from(field.as_str())),
                ("by", Yaml::from(by.as_str())),
            ]),
        ),
        ExprKind::RatioBanded {
            numerator,
            denominator,
            band_by,
            bands,
        } => (
            "ratio_banded",
            map(vec![
                ("numerator", to_yaml(numerator)),
                ("denominator", to_yaml(denominator)),
                ("band_by", to_yaml(band_by)),
                (
                    "bands",
                    Yaml::Sequence(
                        bands
                            .iter()
                            .map(|b| {
                                let mut p = Vec::new();
                                if let Some(u) = b.up_to {
                                    p.push(("up_to", Yaml::String(u.to_string())));
                                }
                                p.push(("min_ratio", Yaml::String(b.min_ratio.to_string())));
                                map(p)
                            })
                            .collect(),
                    ),
                ),
            ]),
        ),
    };
    let mut pairs = vec![(name, body)];
    if let Some(a) = e.article {
        pairs.push(("article", Yaml::String(a.to_string())));
    }
    if let Some(l) = &e.label {
        pairs.push((
            "label",
            map(vec![
                ("zh", Yaml::from(l.zh.as_str())),
                ("en", Yaml::from(l.en.as_str())),
            ]),
        ));
    }
    map(pairs)
}
