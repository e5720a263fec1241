//! The policy model: what a policy file says, as Rust types.
//!
//! A policy file (`policies/<id>.yaml`) is read by a legal officer next to the regulation, so the
//! shapes here follow the regulation's structure: metadata, articles, vocabularies,
//! interpretations, eligibility rules, procedure, lifecycle, consequences and transitions. Every
//! rule carries the article it applies. `docs/policy-format.md` documents the file format.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::citation::{ArticleRef, ItemStyle};
use crate::expr::Expr;
pub use crate::schedule::{CycleAnchor, CycleStart, Evaluation};

mod lifecycle;
mod procedure;
mod transitions;

pub use lifecycle::*;
pub use procedure::*;
pub use transitions::*;

/// A regulation encoded as data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Format version of the file; currently `guohe-policy/1`.
    pub schema: String,
    /// Machine id used in citations, e.g. `hubei-2022`.
    pub id: String,
    /// Full title of the regulation.
    pub title: String,
    /// 发文机关 — the issuing authority.
    pub issuer: String,
    /// 文号 — the document number, e.g. 鄂科技规〔2022〕6号.
    pub document_number: String,
    /// The province the policy governs.
    pub province: Province,
    /// 发布日期 — the day the regulation was published.
    pub published_on: NaiveDate,
    /// 施行日期 — the day it enters into force.
    pub in_force_from: NaiveDate,
    /// 有效期 — how long it stays in force, and the article that says so.
    pub validity: Validity,
    /// Documents this one repeals (废止).
    #[serde(default)]
    pub supersedes: Vec<Superseded>,
    /// Where the official text is published.
    #[serde(default)]
    pub source_url: Option<String>,
    /// How the regulation numbers items inside an article.
    #[serde(default)]
    pub item_style: ItemStyle,
    /// The text of every article.
    pub articles: Vec<Article>,
    /// Closed vocabularies: categories, unit kinds, grades, conclusions, decisions, …
    pub vocabularies: Vocabularies,
    /// Readings taken where the text needs one, each beside its article.
    #[serde(default)]
    pub interpretations: Vec<Interpretation>,
    /// The conditions an application must meet (认定条件 / 申报条件).
    pub eligibility: Vec<Rule>,
    /// The recognition procedure (申报、推荐、评审、认定、公示、命名).
    pub procedure: Procedure,
    /// Operation after naming: annual reports, assessments, evaluations, changes.
    pub lifecycle: Lifecycle,
    /// What follows from grades and findings (整改、终止、撤销、取消资格、退出).
    pub consequences: Vec<Consequence>,
    /// Transitional articles (附则).
    #[serde(default)]
    pub transitions: Transitions,
    /// Articles deliberately not encoded, each with its reason (see `guohe policy coverage`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_encoded: Vec<crate::coverage::NotEncoded>,
    /// 优先支持 — the articles giving named bases priority in other programmes; the
    /// verification service (核验服务) cites them in every answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub priority: Vec<PriorityArticle>,
}

/// An article that gives the support units of named bases priority elsewhere (e.g. Hubei
/// 第十九条: 优先推荐申报国家级国际科技创新合作计划项目).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityArticle {
    /// The article.
    pub article: ArticleRef,
    /// What priority it gives, in the regulation's words (short).
    pub scope: String,
}

/// The province a policy governs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Province {
    /// GB/T 2260 two-digit prefix, e.g. `43` for 湖南省.
    pub code: String,
    /// 湖南省 / 湖北省.
    pub name: String,
}

/// 有效期 — validity of the regulation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validity {
    /// Number of years the regulation is valid from its entry into force.
    pub years: u32,
    /// The article on entry into force and validity.
    pub article: ArticleRef,
}

/// A repealed document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Superseded {
    /// Its document number.
    pub document_number: String,
    /// Its title.
    pub title: String,
    /// The article that repeals it.
    pub article: ArticleRef,
}

/// One article (条) of the regulation.
///
/// In the file an article gives either `text` (one paragraph, with its items' lines) or
/// `paragraphs` (款, each addressable as `12(2)`); `text` is then their lines joined.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "ArticleRepr", into = "ArticleRepr")]
pub struct Article {
    /// Article number (第N条).
    pub number: u16,
    /// The chapter heading, on the first article of each chapter.
    pub chapter: Option<String>,
    /// The full text of the article, paragraphs on separate lines.
    pub text: String,
    /// The paragraphs (款) of an article that has several; empty when it has one.
    pub paragraphs: Vec<String>,
    /// Numbered items (项), addressable as `article.item`.
    pub items: Vec<Item>,
}

impl Article {
    /// How many paragraphs (款) the article has.
    pub fn paragraph_count(&self) -> usize {
        self.paragraphs.len().max(1)
    }
}

/// The file form of an [`Article`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleRepr {
    number: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chapter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    paragraphs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    items: Vec<Item>,
}

impl TryFrom<ArticleRepr> for Article {
    type Error = String;
    fn try_from(r: ArticleRepr) -> Result<Self, String> {
        let paragraphs: Vec<String> = r.paragraphs.iter().map(|p| p.trim_end().to_string()).collect();
        let text = match (r.text, paragraphs.len()) {
            // The serialised form carries both (readers of the JSON find `text` on every
            // article); they must then agree.
            (Some(t), 2..) if t.trim_end() == paragraphs.join("\n") => t,
            (Some(_), 1..) => {
                return Err(format!(
                    "article {} gives both `text` and `paragraphs`; give one",
                    r.number
                ));
            }
            (Some(t), _) => t,
            (None, 0) => return Err(format!("article {} needs `text` or `paragraphs`", r.number)),
            (None, 1) => {
                return Err(format!("article {} has one paragraph: write it as `text`", r.number));
            }
            (None, _) => paragraphs.join("\n"),
        };
        Ok(Article {
            number: r.number,
            chapter: r.chapter,
            text,
            paragraphs,
            items: r.items,
        })
    }
}

impl From<Article> for ArticleRepr {
    fn from(a: Article) -> Self {
        ArticleRepr {
            number: a.number,
            chapter: a.chapter,
            text: Some(a.text),
            paragraphs: a.paragraphs,
            items: a.items,
        }
    }
}

/// One numbered item (项) of an article.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Item number.
    pub number: u16,
    /// Its text.
    pub text: String,
}

/// A term of a closed vocabulary.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// Stable machine code, e.g. `joint_research`.
    pub code: String,
    /// Chinese label as the regulation writes it.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Where the term is defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<ArticleRef>,
    /// For categories: the suffix in the official name (Hunan 第九条第4项).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_suffix: Option<String>,
}

/// The policy's closed vocabularies.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabularies {
    /// 基地类型 — base categories; empty when the policy has none (Hubei).
    #[serde(default)]
    pub categories: Vec<Term>,
    /// 依托单位类型 — kinds of support unit the policy admits.
    pub unit_kinds: Vec<Term>,
    /// 年度考核结果 — annual assessment grades; empty when there is no annual assessment.
    #[serde(default)]
    pub annual_grades: Vec<Term>,
    /// 评估结果 — grades of the periodic evaluation.
    pub evaluation_grades: Vec<Term>,
    /// 专家结论性意见 — expert conclusions.
    pub expert_conclusions: Vec<Term>,
    /// 认定结论 — decisions.
    pub decisions: Vec<Term>,
    /// 重大事项 — kinds of major change a base must file.
    pub major_change_kinds: Vec<Term>,
    /// 情形 — findings the department can record that carry consequences.
    pub findings: Vec<Term>,
}

/// Looks a term up by code.
pub fn term<'a>(terms: &'a [Term], code: &str) -> Option<&'a Term> {
    terms.iter().find(|t| t.code == code)
}

/// A reading taken where the regulation's words need one. Staff can review and change it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interpretation {
    /// Stable id, referenced from rules and parameters.
    pub id: String,
    /// The article whose words need reading.
    pub article: ArticleRef,
    /// The words in question, quoted.
    pub words: String,
    /// The reading taken, in Chinese.
    pub reading_zh: String,
    /// The reading taken, in English.
    pub reading_en: String,
}

/// How a condition is established.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Decided from the application's facts.
    Computed,
    /// A declaration by the applicant plus a supporting attachment.
    Attested,
    /// Only an expert can say: the check answers "needs review", never pass.
    Judged,
}

/// One eligibility condition.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id, e.g. `unit.rd_ratio`.
    pub id: String,
    /// The article it applies.
    pub article: ArticleRef,
    /// What the condition requires, in Chinese.
    pub title_zh: String,
    /// What the condition requires, in English.
    pub title_en: String,
    /// Computed, attested or judged.
    pub mode: Mode,
    /// When the rule applies at all (e.g. only to enterprises); absent = always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_when: Option<Expr>,
    /// The condition over the facts (computed and attested rules; a judged rule may give a
    /// precondition that must hold before an expert looks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Expr>,
    /// For attested rules: the kind of attachment that must back the declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Interpretations this rule relies on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interpretations: Vec<String>,
}
