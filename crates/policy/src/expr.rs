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

mod parse;
mod write;

pub use parse::{parse, parse_decimal};
pub use write::to_yaml;

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
