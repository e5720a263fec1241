//! The fact tree the interpreter reads, addressed by paths resolved to symbols at load.

use super::*;

/// A fact path resolved to symbols once, when a policy is loaded.
#[derive(Clone, PartialEq, Eq)]
pub struct Path {
    text: String,
    syms: Box<[Sym]>,
}

impl Path {
    /// Resolves a dotted path; unknown segments resolve to nothing and are reported by the
    /// policy's type checker.
    pub fn new(text: &str) -> Path {
        let syms = text.split('.').map(|s| sym(s).unwrap_or(Sym::MAX)).collect();
        Path {
            text: text.to_string(),
            syms,
        }
    }
    /// The dotted text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// The symbols.
    pub fn syms(&self) -> &[Sym] {
        &self.syms
    }
}

impl std::ops::Deref for Path {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Debug for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.text)
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A fact value: exact decimals, dates, lists and records.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// Not given.
    Null,
    /// true/false.
    Bool(bool),
    /// Exact decimal.
    Num(Decimal),
    /// Text.
    Text(Box<str>),
    /// A date.
    Date(NaiveDate),
    /// A list.
    List(Vec<Fact>),
    /// A record, fields sorted by symbol.
    Record(Vec<(Sym, Fact)>),
}

impl Fact {
    pub(super) fn from_json(v: &serde_json::Value, path: &str) -> Fact {
        use serde_json::Value as J;
        match v {
            J::Null => Fact::Null,
            J::Bool(b) => Fact::Bool(*b),
            J::Number(n) => {
                let s = n.to_string();
                Decimal::from_str(&s)
                    .or_else(|_| Decimal::from_scientific(&s))
                    .map(Fact::Num)
                    .unwrap_or(Fact::Null)
            }
            J::String(s) => {
                let is_date = catalogue_entry(path).is_some_and(|e| e.1 == FactType::Date);
                match (is_date, NaiveDate::parse_from_str(s, "%Y-%m-%d")) {
                    (true, Ok(d)) => Fact::Date(d),
                    _ => Fact::Text(s.as_str().into()),
                }
            }
            J::Array(items) => {
                let item_path = format!("{path}[]");
                Fact::List(items.iter().map(|i| Fact::from_json(i, &item_path)).collect())
            }
            J::Object(map) => {
                let mut fields: Vec<(Sym, Fact)> = map
                    .iter()
                    .filter_map(|(k, v)| {
                        let p = if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        };
                        Some((sym(k)?, Fact::from_json(v, &p)))
                    })
                    .collect();
                fields.sort_by_key(|f| f.0);
                Fact::Record(fields)
            }
        }
    }

    /// A field of a record, by name.
    pub fn field(&self, name: &str) -> Option<&Fact> {
        self.field_sym(sym(name)?)
    }

    /// A field of a record, by symbol.
    #[inline]
    pub fn field_sym(&self, s: Sym) -> Option<&Fact> {
        match self {
            Fact::Record(fields) => fields.binary_search_by(|(k, _)| k.cmp(&s)).ok().map(|i| &fields[i].1),
            _ => None,
        }
    }
}

/// The whole application as a fact tree.
#[derive(Debug, Clone, PartialEq)]
pub struct FactTree(pub Fact);

impl FactTree {
    /// Follows a resolved path.
    #[inline]
    pub fn get(&self, path: &Path) -> Option<&Fact> {
        let mut cur = &self.0;
        for s in path.syms() {
            cur = cur.field_sym(*s)?;
        }
        Some(cur)
    }
}
