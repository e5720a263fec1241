//! Citations: every rule and every decision points at an article.
//!
//! The machine form is `policy:article[(paragraph)][.item]` — `hubei-2022:28.1` is
//! 第二十八条第（一）项 of 鄂科技规〔2022〕6号, and `hubei-2022:12(2)` is 第十二条第二款 (the second
//! paragraph of an article that has several). The Chinese form is rendered with the policy's item
//! style, because Hunan numbers its items `1.` and Hubei `（一）`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A reference to an article, to one paragraph (款) of it, or to one numbered item (项), inside a
/// policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArticleRef {
    /// 条 — the article number.
    pub article: u16,
    /// 款 — the paragraph, for an article with several paragraphs (written `12(2)`).
    pub paragraph: Option<u16>,
    /// 项 — the item number inside the article, if the reference is that precise.
    pub item: Option<u16>,
}

impl ArticleRef {
    /// A reference to a whole article.
    pub fn article(article: u16) -> ArticleRef {
        ArticleRef {
            article,
            paragraph: None,
            item: None,
        }
    }

    /// Parses the local form `28`, `28.1`, `12(2)` or `12(2).1`.
    pub fn parse(text: &str) -> Result<ArticleRef, String> {
        let text = text.trim();
        let (head, item) = match text.split_once('.') {
            Some((a, i)) => (a, Some(i)),
            None => (text, None),
        };
        let (article, paragraph) = match head.split_once('(') {
            Some((a, rest)) => {
                let p = rest
                    .strip_suffix(')')
                    .and_then(|p| p.parse::<u16>().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        format!("`{text}`: the paragraph in brackets must be a number ≥ 1, as in `12(2)`")
                    })?;
                (a, Some(p))
            }
            None => (head, None),
        };
        let article: u16 = article
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("`{text}` is not an article reference like `10`, `10.4` or `12(2)`"))?;
        let item = match item {
            Some(i) => Some(
                i.parse::<u16>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("`{text}`: the item after the dot must be a number ≥ 1"))?,
            ),
            None => None,
        };
        Ok(ArticleRef {
            article,
            paragraph,
            item,
        })
    }

    /// The article alone, without its paragraph or item.
    pub fn article_only(self) -> ArticleRef {
        ArticleRef::article(self.article)
    }
}

impl fmt::Display for ArticleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.article)?;
        if let Some(p) = self.paragraph {
            write!(f, "({p})")?;
        }
        if let Some(i) = self.item {
            write!(f, ".{i}")?;
        }
        Ok(())
    }
}

impl Serialize for ArticleRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ArticleRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // YAML turns `28` into a number and `28.1` into a float; accept both and strings.
        let v = serde_yaml_ng::Value::deserialize(d)?;
        let text = match v {
            serde_yaml_ng::Value::String(s) => s,
            serde_yaml_ng::Value::Number(n) => n.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "an article reference must be like \"10\" or \"10.4\", found {other:?}"
                )));
            }
        };
        ArticleRef::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// How a policy numbers the items (项) of an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ItemStyle {
    /// `1.` `2.` — rendered 第五条第1项.
    #[default]
    Arabic,
    /// `（一）` `（二）` — rendered 第十条第（四）项.
    ParenChinese,
}

/// A full citation: policy id plus article reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Citation {
    /// The policy id, e.g. `hubei-2022`.
    pub policy: String,
    /// The article (and item) inside it.
    pub at: ArticleRef,
}

impl Citation {
    /// Parses the machine form `hubei-2022:28.1`.
    pub fn parse(text: &str) -> Result<Citation, String> {
        let (policy, at) = text
            .split_once(':')
            .ok_or_else(|| format!("`{text}` is not a citation like `hubei-2022:28.1`"))?;
        if policy.is_empty() {
            return Err(format!("`{text}`: the policy id before `:` is empty"));
        }
        Ok(Citation {
            policy: policy.to_string(),
            at: ArticleRef::parse(at)?,
        })
    }

    /// The Chinese form, e.g. `hubei-2022 第二十八条第（一）项`.
    pub fn to_chinese(&self, style: ItemStyle) -> String {
        format!("{} {}", self.policy, chinese_article(self.at, style))
    }
}

impl fmt::Display for Citation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.policy, self.at)
    }
}

impl Serialize for Citation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Citation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Citation::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// 第二十八条第（一）项 / 第五条第1项 / 第十二条第二款.
pub fn chinese_article(at: ArticleRef, style: ItemStyle) -> String {
    let mut s = format!("第{}条", chinese_number(at.article as u32));
    if let Some(p) = at.paragraph {
        s.push_str(&format!("第{}款", chinese_number(p as u32)));
    }
    if let Some(i) = at.item {
        match style {
            ItemStyle::Arabic => s.push_str(&format!("第{i}项")),
            ItemStyle::ParenChinese => s.push_str(&format!("第（{}）项", chinese_number(i as u32))),
        }
    }
    s
}

/// Chinese numerals as used for article numbers: 1 → 一, 10 → 十, 23 → 二十三, 100 → 一百.
pub fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!(
            "十{}",
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        100..=999 => {
            let rest = n % 100;
            let tail = match rest {
                0 => String::new(),
                1..=9 => format!("零{}", DIGITS[rest as usize]),
                10..=19 => format!("一{}", chinese_number(rest)),
                _ => chinese_number(rest),
            };
            format!("{}百{}", DIGITS[(n / 100) as usize], tail)
        }
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_and_chinese_forms() {
        let c = Citation::parse("hubei-2022:28.1").unwrap();
        assert_eq!(c.to_string(), "hubei-2022:28.1");
        assert_eq!(c.to_chinese(ItemStyle::ParenChinese), "hubei-2022 第二十八条第（一）项");
        let c = Citation::parse("hunan-2026:5.4").unwrap();
        assert_eq!(c.to_chinese(ItemStyle::Arabic), "hunan-2026 第五条第4项");
        assert_eq!(
            chinese_article(ArticleRef::parse("10").unwrap(), ItemStyle::Arabic),
            "第十条"
        );
        assert_eq!(chinese_number(23), "二十三");
        assert_eq!(chinese_number(30), "三十");
        assert_eq!(chinese_number(105), "一百零五");
        assert_eq!(chinese_number(110), "一百一十");
    }

    /// Hubei 第十二条 has two paragraphs; each is addressable and renders as 第十二条第二款.
    #[test]
    fn paragraphs_parse_and_render() {
        let c = Citation::parse("hubei-2022:12(2)").unwrap();
        assert_eq!(c.at.paragraph, Some(2));
        assert_eq!(c.to_string(), "hubei-2022:12(2)");
        assert_eq!(c.to_chinese(ItemStyle::ParenChinese), "hubei-2022 第十二条第二款");
        let a = ArticleRef::parse("12(1).3").unwrap();
        assert_eq!((a.article, a.paragraph, a.item), (12, Some(1), Some(3)));
        assert_eq!(a.to_string(), "12(1).3");
        assert_eq!(chinese_article(a, ItemStyle::ParenChinese), "第十二条第一款第（三）项");
        assert!(ArticleRef::parse("12()").is_err());
        assert!(ArticleRef::parse("12(0)").is_err());
        assert!(ArticleRef::parse("12(2").is_err());
    }

    #[test]
    fn bad_references_are_refused() {
        assert!(ArticleRef::parse("0").is_err());
        assert!(ArticleRef::parse("ten").is_err());
        assert!(ArticleRef::parse("10.").is_err());
        assert!(Citation::parse("28.1").is_err());
        assert!(Citation::parse(":28").is_err());
    }
}
