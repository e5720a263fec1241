//! YAML into [`Expr`], with messages that name the path inside the expression.

use super::*;

fn err(path: &str, msg: impl std::fmt::Display) -> String {
    if path.is_empty() {
        msg.to_string()
    } else {
        format!("at `{path}`: {msg}")
    }
}

fn join(path: &str, seg: &str) -> String {
    if path.is_empty() {
        seg.to_string()
    } else {
        format!("{path}.{seg}")
    }
}

/// Parses a decimal literal: a YAML number, a numeric string, or a percentage `"5%"`.
pub fn parse_decimal(v: &Yaml) -> Option<Decimal> {
    match v {
        Yaml::Number(n) => Decimal::from_str(&n.to_string()).ok().or_else(|| {
            // Exponent forms such as 5e7.
            n.as_f64().and_then(|f| Decimal::from_str(&format!("{f}")).ok())
        }),
        Yaml::String(s) => {
            let s = s.trim();
            if let Some(p) = s.strip_suffix('%') {
                Decimal::from_str(p.trim()).ok().map(|d| d / Decimal::ONE_HUNDRED)
            } else {
                Decimal::from_str(s).ok()
            }
        }
        _ => None,
    }
}

fn literal(v: &Yaml, path: &str) -> Result<Literal, String> {
    match v {
        Yaml::Bool(b) => Ok(Literal::Bool(*b)),
        Yaml::Number(_) => parse_decimal(v)
            .map(Literal::Num)
            .ok_or_else(|| err(path, "number out of range")),
        Yaml::String(s) => {
            if s.trim_end().ends_with('%') {
                parse_decimal(v)
                    .map(Literal::Num)
                    .ok_or_else(|| err(path, format!("`{s}` is not a percentage like \"5%\"")))
            } else {
                Ok(Literal::Text(s.clone()))
            }
        }
        other => Err(err(path, format!("expected a literal, found {}", kind_name(other)))),
    }
}

fn kind_name(v: &Yaml) -> &'static str {
    match v {
        Yaml::Null => "nothing",
        Yaml::Bool(_) => "a boolean",
        Yaml::Number(_) => "a number",
        Yaml::String(_) => "text",
        Yaml::Sequence(_) => "a list",
        Yaml::Mapping(_) => "a mapping",
        Yaml::Tagged(_) => "a tagged value",
    }
}

fn as_str<'a>(v: &'a Yaml, path: &str) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| err(path, format!("expected text, found {}", kind_name(v))))
}

fn as_u32(v: &Yaml, path: &str) -> Result<u32, String> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| err(path, format!("expected a whole number ≥ 1, found {}", kind_name(v))))
}

struct Fields<'a> {
    map: &'a serde_yaml_ng::Mapping,
    path: String,
    op: &'static str,
    allowed: &'static [&'static str],
}

impl<'a> Fields<'a> {
    fn new(v: &'a Yaml, path: String, op: &'static str, allowed: &'static [&'static str]) -> Result<Self, String> {
        let map = v
            .as_mapping()
            .ok_or_else(|| err(&path, format!("`{op}` takes a mapping with {}", allowed.join(", "))))?;
        for k in map.keys() {
            let k = k.as_str().unwrap_or("?");
            if !allowed.contains(&k) {
                return Err(err(
                    &path,
                    format!("`{op}` has no field `{k}`; its fields are {}", allowed.join(", ")),
                ));
            }
        }
        Ok(Fields { map, path, op, allowed })
    }
    fn opt(&self, key: &str) -> Option<&'a Yaml> {
        self.map.get(key)
    }
    fn req(&self, key: &str) -> Result<&'a Yaml, String> {
        self.map.get(key).ok_or_else(|| {
            err(
                &self.path,
                format!("`{}` needs `{key}` (fields: {})", self.op, self.allowed.join(", ")),
            )
        })
    }
    fn sub(&self, key: &str) -> String {
        join(&self.path, key)
    }
    fn expr(&self, key: &str) -> Result<Box<Expr>, String> {
        Ok(Box::new(parse(self.req(key)?, &self.sub(key))?))
    }
}

/// Parses one condition node. `path` locates it inside the enclosing expression for messages.
pub fn parse(v: &Yaml, path: &str) -> Result<Expr, String> {
    let map = match v {
        Yaml::Mapping(m) => m,
        Yaml::Null | Yaml::Sequence(_) | Yaml::Tagged(_) => {
            return Err(err(
                path,
                format!("expected a condition or a literal, found {}", kind_name(v)),
            ));
        }
        scalar => {
            return Ok(Expr {
                kind: ExprKind::Literal(literal(scalar, path)?),
                article: None,
                label: None,
            });
        }
    };
    let mut article = None;
    let mut label = None;
    let mut op: Option<(&str, &Yaml)> = None;
    for (k, val) in map {
        let k = k.as_str().ok_or_else(|| err(path, "keys must be text"))?;
        match k {
            "article" => {
                let text = match val {
                    Yaml::String(s) => s.clone(),
                    Yaml::Number(n) => n.to_string(),
                    other => {
                        return Err(err(
                            &join(path, "article"),
                            format!("expected \"10.4\", found {}", kind_name(other)),
                        ));
                    }
                };
                article = Some(ArticleRef::parse(&text).map_err(|e| err(&join(path, "article"), e))?);
            }
            "label" => {
                label = Some(
                    serde_yaml_ng::from_value::<Label>(val.clone())
                        .map_err(|e| err(&join(path, "label"), format!("expected {{zh: …, en: …}}: {e}")))?,
                );
            }
            other => {
                if let Some((first, _)) = op {
                    return Err(err(
                        path,
                        format!("one operation per node, found both `{first}` and `{other}`"),
                    ));
                }
                op = Some((other, val));
            }
        }
    }
    let (name, val) =
        op.ok_or_else(|| err(path, format!("no operation; expected one of {}", OPERATIONS.join(", "))))?;
    let here = join(path, name);
    let kind = match name {
        "fact" => ExprKind::Fact(Path::new(as_str(val, &here)?)),
        "item" => ExprKind::Item(Path::new(as_str(val, &here)?)),
        "present" => ExprKind::Present(Path::new(as_str(val, &here)?)),
        "all" | "any" => {
            let seq = val
                .as_sequence()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| err(&here, format!("`{name}` takes a non-empty list of conditions")))?;
            let items = seq
                .iter()
                .enumerate()
                .map(|(i, c)| parse(c, &format!("{here}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            if name == "all" {
                ExprKind::All(items)
            } else {
                ExprKind::Any(items)
            }
        }
        "not" => ExprKind::Not(Box::new(parse(val, &here)?)),
        "at_least" => {
            let f = Fields::new(val, here, "at_least", &["value", "min"])?;
            ExprKind::AtLeast(f.expr("value")?, f.expr("min")?)
        }
        "at_most" => {
            let f = Fields::new(val, here, "at_most", &["value", "max"])?;
            ExprKind::AtMost(f.expr("value")?, f.expr("max")?)
        }
        "equals" => {
            let f = Fields::new(val, here, "equals", &["value", "to"])?;
            ExprKind::Equals(f.expr("value")?, f.expr("to")?)
        }
        "one_of" => {
            let f = Fields::new(val, here, "one_of", &["value", "set"])?;
            let set = f
                .req("set")?
                .as_sequence()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| err(&f.sub("set"), "`set` takes a non-empty list of literals"))?
                .iter()
                .enumerate()
                .map(|(i, l)| literal(l, &format!("{}[{i}]", f.sub("set"))))
                .collect::<Result<Vec<_>, _>>()?;
            ExprKind::OneOf(f.expr("value")?, set)
        }
        "count" => ExprKind::Count(list_op(val, here, "count", false)?),
        "count_distinct" => ExprKind::CountDistinct(list_op(val, here, "count_distinct", true)?),
        "sum" => ExprKind::Sum(list_op(val, here, "sum", true)?),
        "average" => ExprKind::Average(list_op(val, here, "average", true)?),
        "add" | "subtract" | "multiply" | "divide" => {
            let op = match name {
                "add" => ArithOp::Add,
                "subtract" => ArithOp::Subtract,
                "multiply" => ArithOp::Multiply,
                _ => ArithOp::Divide,
            };
            let binary = matches!(op, ArithOp::Subtract | ArithOp::Divide);
            let seq = val.as_sequence().ok_or_else(|| {
                err(
                    &here,
                    format!("`{name}` takes a list of operands, e.g. `{name}: [a, b]`"),
                )
            })?;
            if (binary && seq.len() != 2) || seq.len() < 2 {
                let want = if binary { "exactly 2" } else { "at least 2" };
                return Err(err(
                    &here,
                    format!("`{name}` takes {want} operands, found {}", seq.len()),
                ));
            }
            let args = seq
                .iter()
                .enumerate()
                .map(|(i, c)| parse(c, &format!("{here}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            ExprKind::Arith(op, args)
        }
        "latest" => {
            let f = Fields::new(val, here, "latest", &["list", "field", "by"])?;
            ExprKind::Latest {
                list: Path::new(as_str(f.req("list")?, &f.sub("list"))?),
                field: Path::new(as_str(f.req("field")?, &f.sub("field"))?),
                by: Path::new(as_str(f.req("by")?, &f.sub("by"))?),
            }
        }
        "ratio_banded" => {
            let f = Fields::new(
                val,
                here,
                "ratio_banded",
                &["numerator", "denominator", "band_by", "bands"],
            )?;
            let seq = f
                .req("bands")?
                .as_sequence()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| err(&f.sub("bands"), "`bands` takes a non-empty list"))?;
            let mut bands = Vec::new();
            for (i, b) in seq.iter().enumerate() {
                let bp = format!("{}[{i}]", f.sub("bands"));
                let bf = Fields::new(b, bp.clone(), "band", &["up_to", "min_ratio"])?;
                let up_to = match bf.opt("up_to") {
                    Some(u) => Some(parse_decimal(u).ok_or_else(|| err(&bf.sub("up_to"), "expected a number"))?),
                    None => None,
                };
                let min_ratio = parse_decimal(bf.req("min_ratio")?)
                    .ok_or_else(|| err(&bf.sub("min_ratio"), "expected a ratio like 0.05 or \"5%\""))?;
                bands.push(Band { up_to, min_ratio });
            }
            for (i, w) in bands.windows(2).enumerate() {
                match (w[0].up_to, w[1].up_to) {
                    (None, _) => {
                        return Err(err(
                            &format!("{}[{i}]", f.sub("bands")),
                            "only the last band may omit `up_to`",
                        ));
                    }
                    (Some(a), Some(b)) if b <= a => {
                        return Err(err(
                            &format!("{}[{}]", f.sub("bands"), i + 1),
                            "bands must be in increasing `up_to`",
                        ));
                    }
                    _ => {}
                }
            }
            if bands.last().is_some_and(|b| b.up_to.is_some()) {
                return Err(err(
                    &f.sub("bands"),
                    "the last band must omit `up_to` so that every value has a band",
                ));
            }
            ExprKind::RatioBanded {
                numerator: f.expr("numerator")?,
                denominator: f.expr("denominator")?,
                band_by: f.expr("band_by")?,
                bands,
            }
        }
        other => {
            return Err(err(
                path,
                format!("unknown operation `{other}`; expected one of {}", OPERATIONS.join(", ")),
            ));
        }
    };
    Ok(Expr { kind, article, label })
}

fn list_op(v: &Yaml, path: String, op: &'static str, needs_field: bool) -> Result<ListOp, String> {
    let f = Fields::new(v, path, op, &["list", "field", "within", "where"])?;
    let list = Path::new(as_str(f.req("list")?, &f.sub("list"))?);
    let field = match f.opt("field") {
        Some(x) => Some(Path::new(as_str(x, &f.sub("field"))?)),
        None if needs_field => return Err(err(&f.path, format!("`{op}` needs `field`"))),
        None => None,
    };
    let within = match f.opt("within") {
        Some(w) => Some(window(w, f.sub("within"))?),
        None => None,
    };
    let filter = match f.opt("where") {
        Some(c) => Some(Box::new(parse(c, &f.sub("where"))?)),
        None => None,
    };
    Ok(ListOp {
        list,
        field,
        within,
        filter,
    })
}

fn window(v: &Yaml, path: String) -> Result<Window, String> {
    let f = Fields::new(
        v,
        path,
        "within",
        &[
            "years",
            "date_field",
            "start_field",
            "end_field",
            "complete_years",
            "field",
            "require_all",
        ],
    )?;
    if let Some(n) = f.opt("complete_years") {
        return Ok(Window::CompleteYears {
            years: as_u32(n, &f.sub("complete_years"))?,
            field: Path::new(as_str(f.req("field")?, &f.sub("field"))?),
            require_all: f.opt("require_all").and_then(Yaml::as_bool).unwrap_or(false),
        });
    }
    let years = as_u32(f.req("years")?, &f.sub("years"))?;
    if let Some(start) = f.opt("start_field") {
        return Ok(Window::Overlaps {
            years,
            start_field: Path::new(as_str(start, &f.sub("start_field"))?),
            end_field: Path::new(as_str(f.req("end_field")?, &f.sub("end_field"))?),
        });
    }
    Ok(Window::Years {
        years,
        date_field: Path::new(as_str(f.req("date_field")?, &f.sub("date_field"))?),
    })
}
