//! The condition language: a closed, typed vocabulary a legal officer can read.
//!
//! A condition is a YAML tree of named operations (`all`, `any`, `not`, `at_least`, `count`, …).
//! Any node may carry its own `article` (it then cites a more precise item than its rule) and a
//! `label` (the words used in reasons: `label: {zh: 近3年国际合作项目数, en: …}`). Scalars are
//! literals: numbers, `true`/`false`, percentages written `"5%"`, and text.
//!
//! The parser here turns the YAML into [`Expr`] with messages that name the path inside the
//! expression; the type checker in [`crate::load`] checks fact paths and types against the fact
//! catalogue; [`crate::eval`] runs it with exact decimal arithmetic.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value as Yaml;

use crate::citation::ArticleRef;
use crate::facts::Path;

/// A bilingual label used when a value is named in a reason.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Label {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

/// A node of a condition, with its optional citation and label.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// The operation.
    pub kind: ExprKind,
    /// A more precise article for this node than its rule's.
    pub article: Option<ArticleRef>,
    /// How to name this node's value in reasons.
    pub label: Option<Label>,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `true` / `false`.
    Bool(bool),
    /// An exact decimal (`10`, `0.05`, `"5%"`).
    Num(Decimal),
    /// Text, e.g. a vocabulary code.
    Text(String),
}

/// A look-back window over a dated list, anchored at the application date.
#[derive(Debug, Clone, PartialEq)]
pub enum Window {
    /// Items whose `date_field` lies in (anchor − N years, anchor] — "近N年".
    Years {
        /// N.
        years: u32,
        /// The item field holding the date.
        date_field: Path,
    },
    /// Items whose period [`start_field`, `end_field`] overlaps (anchor − N years, anchor]; an
    /// absent end means the item is still running — "近N年内承担过项目".
    Overlaps {
        /// N.
        years: u32,
        /// The item field holding the start date.
        start_field: Path,
        /// The item field holding the end date (may be absent).
        end_field: Path,
    },
    /// Items of the N complete calendar years before the anchor's year, by a year number or a
    /// date field. With `require_all`, every one of those years must be present.
    CompleteYears {
        /// N.
        years: u32,
        /// The item field holding the year (a number) or a date.
        field: Path,
        /// Whether each of the N years must have an item.
        require_all: bool,
    },
}

/// One band of a banded ratio: applies while `band_by` ≤ `up_to` (or always, if absent).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Inclusive upper bound of the banding value.
    pub up_to: Option<Decimal>,
    /// The minimum ratio in this band.
    pub min_ratio: Decimal,
}

/// An operation over a list fact.
#[derive(Debug, Clone, PartialEq)]
pub struct ListOp {
    /// The list fact path.
    pub list: Path,
    /// The item field the operation reads (for `sum`, `count_distinct`, `latest`).
    pub field: Option<Path>,
    /// The look-back window.
    pub within: Option<Window>,
    /// A condition each item must meet, written with `item:` references.
    pub filter: Option<Box<Expr>>,
}

/// An arithmetic operation over numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `add: [a, b, …]` — the sum.
    Add,
    /// `subtract: [a, b]` — a − b.
    Subtract,
    /// `multiply: [a, b, …]` — the product.
    Multiply,
    /// `divide: [a, b]` — a ÷ b; dividing by zero makes the value undefined and its rule fail.
    Divide,
}

impl ArithOp {
    /// The operation's name in a policy file.
    pub fn name(self) -> &'static str {
        match self {
            ArithOp::Add => "add",
            ArithOp::Subtract => "subtract",
            ArithOp::Multiply => "multiply",
            ArithOp::Divide => "divide",
        }
    }
}

/// The operations of the condition language.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Literal(Literal),
    /// `fact: unit.independent_legal_person` — a fact of the application (or `registry.*`).
    Fact(Path),
    /// `item: level` — a field of the list item under consideration (inside `where`).
    Item(Path),
    /// `present: unit.overseas_market_share` — whether a fact was given.
    Present(Path),
    /// Every condition holds.
    All(Vec<Expr>),
    /// At least one condition holds.
    Any(Vec<Expr>),
    /// The condition does not hold.
    Not(Box<Expr>),
    /// `value ≥ min`.
    AtLeast(Box<Expr>, Box<Expr>),
    /// `value ≤ max`.
    AtMost(Box<Expr>, Box<Expr>),
    /// `value = to`.
    Equals(Box<Expr>, Box<Expr>),
    /// The value is one of a set of literals.
    OneOf(Box<Expr>, Vec<Literal>),
    /// Number of items (in the window, meeting the filter).
    Count(ListOp),
    /// Number of distinct values of `field` among the items.
    CountDistinct(ListOp),
    /// Sum of `field` over the items.
    Sum(ListOp),
    /// Mean of `field` over the items; no items makes it undefined (a division by zero).
    Average(ListOp),
    /// Arithmetic over numbers, exact (`add`, `subtract`, `multiply`, `divide`).
    Arith(ArithOp, Vec<Expr>),
    /// `field` of the item with the greatest `by` (e.g. the latest year's revenue).
    Latest {
        /// The list.
        list: Path,
        /// The field returned.
        field: Path,
        /// The field ordering items.
        by: Path,
    },
    /// `numerator / denominator ≥ min_ratio` of the first band whose `up_to` ≥ `band_by`.
    RatioBanded {
        /// Numerator.
        numerator: Box<Expr>,
        /// Denominator.
        denominator: Box<Expr>,
        /// The value choosing the band.
        band_by: Box<Expr>,
        /// Bands in increasing `up_to`, the last without bound.
        bands: Vec<Band>,
    },
}

/// The names of all operations, for error messages.
pub const OPERATIONS: &[&str] = &[
    "fact",
    "item",
    "present",
    "all",
    "any",
    "not",
    "at_least",
    "at_most",
    "equals",
    "one_of",
    "count",
    "count_distinct",
    "sum",
    "average",
    "add",
    "subtract",
    "multiply",
    "divide",
    "latest",
    "ratio_banded",
];

impl<'de> Deserialize<'de> for Expr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Yaml::deserialize(d)?;
        parse(&v, "").map_err(serde::de::Error::custom)
    }
}

impl Serialize for Expr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        to_yaml(self).serialize(s)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn p(y: &str) -> Result<Expr, String> {
        parse(&serde_yaml_ng::from_str(y).unwrap(), "")
    }

    #[test]
    fn parses_nested_conditions() {
        let e = p("all:\n  - fact: unit.independent_legal_person\n  - at_least:\n      value: {count: {list: unit.international_projects, within: {years: 3, date_field: start_date}}}\n      min: 1\n    article: '10.3'\n").unwrap();
        let ExprKind::All(items) = &e.kind else { panic!() };
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].article, Some(ArticleRef::parse("10.3").unwrap()));
        // Round trip through YAML.
        assert_eq!(parse(&to_yaml(&e), "").unwrap(), e);
    }

    #[test]
    fn arithmetic_parses_and_round_trips() {
        let e = p("at_least:\n  value: { divide: [ { count: { list: unit.joint_papers } }, 3 ] }\n  min: 2\n").unwrap();
        let ExprKind::AtLeast(v, _) = &e.kind else { panic!() };
        assert!(matches!(&v.kind, ExprKind::Arith(ArithOp::Divide, a) if a.len() == 2));
        assert_eq!(parse(&to_yaml(&e), "").unwrap(), e);
        assert!(p("divide: [1, 2, 3]").unwrap_err().contains("exactly 2 operands"));
        assert!(p("add: [1]").unwrap_err().contains("at least 2 operands"));
        assert!(p("subtract: 1").unwrap_err().contains("list of operands"));
        assert!(
            p("average: {list: unit.finance}")
                .unwrap_err()
                .contains("needs `field`")
        );
    }

    #[test]
    fn percentages_are_exact() {
        let e = p("at_least: {value: 1, min: \"5%\"}").unwrap();
        let ExprKind::AtLeast(_, min) = e.kind else { panic!() };
        assert_eq!(min.kind, ExprKind::Literal(Literal::Num(Decimal::new(5, 2))));
    }

    #[test]
    fn errors_name_the_path() {
        let e = p("all:\n  - fact: a\n  - atleast: {value: 1, min: 2}\n").unwrap_err();
        assert!(e.contains("all[1]") && e.contains("unknown operation `atleast`"), "{e}");
        let e = p("at_least: {value: 1}").unwrap_err();
        assert!(e.contains("needs `min`"), "{e}");
        let e = p("count: {list: x, within: {years: 0, date_field: d}}").unwrap_err();
        assert!(e.contains("count.within.years"), "{e}");
        let e = p("ratio_banded: {numerator: 1, denominator: 1, band_by: 1, bands: [{min_ratio: 0.03}, {up_to: 5, min_ratio: 0.05}]}").unwrap_err();
        assert!(e.contains("only the last band"), "{e}");
        assert!(
            p("{fact: a, not: {fact: b}}")
                .unwrap_err()
                .contains("one operation per node")
        );
        assert!(p("[1, 2]").unwrap_err().contains("found a list"));
    }
}
