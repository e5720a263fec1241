//! 政策文件 — `/policies` (the index) and `/policies/{id}` (a regulation's full text, every
//! article anchored as `#art-N` and `#第N条`), and [`cite_href`], which turns any citation the
//! application shows into a link to its article.
//!
//! The official texts are the project's copies under `policies/texts/`, compiled in. A policy
//! loaded later without an official text (a stored or command-line policy with a new id) is shown
//! from the article texts of its policy file, so every citation still has somewhere to point.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use guohe_policy::citation::chinese_number;
use guohe_policy::{Citation, Policy};

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::security::RequestCtx;
use crate::view::{Chrome, render};

/// The official texts: (policy id, Markdown as published, chapters `##`, articles `###`).
pub const TEXTS: &[(&str, &str)] = &[
    ("hunan-2026", include_str!("../../../../policies/texts/hunan-2026.md")),
    ("hubei-2022", include_str!("../../../../policies/texts/hubei-2022.md")),
];

/// The official text of a policy, if the project carries one.
pub fn official_text(id: &str) -> Option<&'static str> {
    TEXTS.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}

/// One article (条) of a text.
#[derive(Debug, Clone)]
pub struct ArticleText {
    /// Its number.
    pub number: u16,
    /// `第二十二条`.
    pub heading: String,
    /// Its paragraphs and items, one line each.
    pub paragraphs: Vec<String>,
}

/// A chapter (章) and its articles.
#[derive(Debug, Clone)]
pub struct ChapterText {
    /// `第一章 总则`, empty before the first chapter heading.
    pub heading: String,
    /// Its articles.
    pub articles: Vec<ArticleText>,
}

/// A regulation's text, split for anchoring.
#[derive(Debug, Clone, Default)]
pub struct RegulationText {
    /// The title line.
    pub title: String,
    /// The notice of issue before the first chapter (印发通知).
    pub preamble: Vec<String>,
    /// The chapters.
    pub chapters: Vec<ChapterText>,
    /// Lines after the last article, from the issuing office's line (…印发) on.
    pub trailer: Vec<String>,
}

impl RegulationText {
    /// Every article, in order.
    pub fn articles(&self) -> impl Iterator<Item = &ArticleText> {
        self.chapters.iter().flat_map(|c| c.articles.iter())
    }
}

/// The number of `第N条` (N written in Chinese numerals, as in the texts).
fn article_number(heading: &str) -> Option<u16> {
    (1..=999u16).find(|n| heading == format!("第{}条", chinese_number(u32::from(*n))))
}

/// Splits an official text: `#` title, `##` chapters, `###` articles, other lines paragraphs.
pub fn parse_text(markdown: &str) -> RegulationText {
    let mut t = RegulationText::default();
    let mut in_trailer = false;
    for line in markdown.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(title) = line.strip_prefix("# ") {
            t.title = title.trim().to_string();
        } else if let Some(ch) = line.strip_prefix("## ") {
            t.chapters.push(ChapterText {
                heading: ch.trim().to_string(),
                articles: Vec::new(),
            });
        } else if let Some(h) = line.strip_prefix("### ") {
            let h = h.trim();
            if t.chapters.is_empty() {
                t.chapters.push(ChapterText {
                    heading: String::new(),
                    articles: Vec::new(),
                });
            }
            if let Some(ch) = t.chapters.last_mut() {
                ch.articles.push(ArticleText {
                    number: article_number(h).unwrap_or(0),
                    heading: h.to_string(),
                    paragraphs: Vec::new(),
                });
            }
        } else {
            let last = t.chapters.last_mut().and_then(|c| c.articles.last_mut());
            // The issuing office's line (…办公室 …印发) closes the regulation; what follows
            // belongs to the document, not to the last article.
            in_trailer = in_trailer || (last.is_some() && line.ends_with("印发"));
            match last {
                Some(a) if !in_trailer => a.paragraphs.push(line.to_string()),
                Some(_) => t.trailer.push(line.to_string()),
                None => t.preamble.push(line.to_string()),
            }
        }
    }
    t
}

/// The text of a policy without an official copy, from its policy file's articles.
fn from_policy(p: &Policy) -> RegulationText {
    let mut t = RegulationText {
        title: format!("{}（{}）", p.title, p.document_number),
        ..RegulationText::default()
    };
    for a in &p.articles {
        if a.chapter.is_some() || t.chapters.is_empty() {
            t.chapters.push(ChapterText {
                heading: a.chapter.clone().unwrap_or_default(),
                articles: Vec::new(),
            });
        }
        if let Some(ch) = t.chapters.last_mut() {
            ch.articles.push(ArticleText {
                number: a.number,
                heading: format!("第{}条", chinese_number(u32::from(a.number))),
                paragraphs: a.text.lines().map(str::to_string).collect(),
            });
        }
    }
    t
}

/// The text shown for a policy: its official copy, else its policy file's articles.
pub fn regulation_text(p: &Policy) -> (RegulationText, bool) {
    match official_text(&p.id) {
        Some(md) => (parse_text(md), true),
        None => (from_policy(p), false),
    }
}

/// The anchor of an article on its policy's page.
pub fn article_href(policy: &str, article: u16) -> String {
    format!("/policies/{policy}#art-{article}")
}

/// The link to the text of the article a citation names, for any form the pages show: the
/// machine form (`hubei-2022:22(1)`), the Chinese label (`鄂科技规〔2022〕6号 第二十二条第一款`),
/// the English label (`鄂科技规〔2022〕6号 art. 22(1)`), or the bare Chinese form with the
/// document's title or number before it. `None` for anything else, and the page shows the
/// citation without a link rather than a link to nowhere.
pub fn cite_href(text: &str) -> Option<String> {
    let text = text.trim();
    if let Ok(c) = Citation::parse(text)
        && guohe_policy::builtin_policy(&c.policy).is_some()
    {
        return Some(article_href(&c.policy, c.at.article));
    }
    for p in guohe_policy::builtin() {
        let rest = [p.document_number.as_str(), p.title.as_str()]
            .iter()
            .find_map(|prefix| text.strip_prefix(prefix))
            .map(|r| r.trim_start_matches(['）', ')', '》', ' ']).trim_start());
        let Some(rest) = rest else { continue };
        if let Some(n) = rest.strip_prefix("art.") {
            let digits: String = n.trim_start().chars().take_while(char::is_ascii_digit).collect();
            return digits.parse().ok().map(|n| article_href(&p.id, n));
        }
        let head = rest.split_inclusive('条').next().unwrap_or("");
        return article_number(head).map(|n| article_href(&p.id, n));
    }
    None
}

/// A policy in the index.
#[derive(Debug, Clone)]
pub struct PolicyEntry {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// 文号.
    pub document_number: String,
    /// 发文机关.
    pub issuer: String,
    /// Province.
    pub province: String,
    /// Published on.
    pub published_on: NaiveDate,
    /// In force from.
    pub in_force_from: NaiveDate,
    /// Last day in force.
    pub valid_until: NaiveDate,
    /// In force on the business date.
    pub in_force: bool,
    /// Number of articles.
    pub articles: usize,
}

fn entry(p: &Policy, today: NaiveDate) -> PolicyEntry {
    PolicyEntry {
        id: p.id.clone(),
        title: p.title.clone(),
        document_number: p.document_number.clone(),
        issuer: p.issuer.clone(),
        province: p.province.name.clone(),
        published_on: p.published_on,
        in_force_from: p.in_force_from,
        valid_until: guohe_policy::valid_until(p),
        in_force: guohe_policy::check_in_force(p, today).is_ok(),
        articles: p.articles.len(),
    }
}

/// Every policy of the running set, for the index and the front page.
pub fn entries(state: &AppState) -> Vec<PolicyEntry> {
    let today = state.today();
    state.guohe.policies().all().iter().map(|p| entry(p, today)).collect()
}

/// The index.
#[derive(Template)]
#[template(path = "policies.html")]
pub struct PoliciesTpl {
    /// Layout.
    pub c: Chrome,
    /// The portal's header band and footer.
    pub portal: super::portal::PortalView,
    /// The policies.
    pub policies: Vec<PolicyEntry>,
}

/// `GET /policies`.
pub async fn index(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    render(&PoliciesTpl {
        c: ctx.chrome("/policies"),
        portal: super::portal::PortalView::of(&state, ctx.lang),
        policies: entries(&state),
    })
}

/// One regulation's full text.
#[derive(Template)]
#[template(path = "policy_text.html")]
pub struct PolicyTextTpl {
    /// Layout.
    pub c: Chrome,
    /// The portal's header band and footer.
    pub portal: super::portal::PortalView,
    /// The policy.
    pub p: PolicyEntry,
    /// Its text.
    pub text: RegulationText,
    /// Whether the text is the official copy (else the policy file's articles).
    pub official: bool,
}

/// `GET /policies/{id}` — 404 for an id the running set does not have.
pub async fn show(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let set = state.guohe.policies();
    let p = set.get(&id).ok_or(WebError::NotFound)?;
    let (text, official) = regulation_text(p);
    render(&PolicyTextTpl {
        c: ctx.chrome("/policies"),
        portal: super::portal::PortalView::of(&state, ctx.lang),
        p: entry(p, state.today()),
        text,
        official,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_article_of_both_texts_is_found_in_order() {
        for (id, md) in TEXTS {
            let t = parse_text(md);
            let numbers: Vec<u16> = t.articles().map(|a| a.number).collect();
            let headings = md.lines().filter(|l| l.starts_with("### ")).count();
            assert_eq!(numbers.len(), headings, "{id}");
            assert_eq!(numbers, (1..=headings as u16).collect::<Vec<_>>(), "{id}");
            // The policy file encodes the same articles.
            let p = guohe_policy::builtin_policy(id).expect("policy");
            assert_eq!(p.articles.len(), headings, "{id}");
            assert!(t.articles().all(|a| !a.paragraphs.is_empty()), "{id}");
            assert!(t.trailer.first().is_some_and(|l| l.ends_with("印发")), "{id}");
        }
    }

    #[test]
    fn citations_in_every_form_point_at_their_article() {
        // 湘科发〔2026〕27号 第二十二条 / 鄂科技规〔2022〕6号 第二十二条第一款.
        assert_eq!(
            cite_href("hunan-2026:22").as_deref(),
            Some("/policies/hunan-2026#art-22")
        );
        assert_eq!(
            cite_href("hubei-2022:22(1)").as_deref(),
            Some("/policies/hubei-2022#art-22")
        );
        assert_eq!(
            cite_href("鄂科技规〔2022〕6号 第二十二条第一款").as_deref(),
            Some("/policies/hubei-2022#art-22")
        );
        assert_eq!(
            cite_href("湘科发〔2026〕27号 第九条第3项").as_deref(),
            Some("/policies/hunan-2026#art-9")
        );
        assert_eq!(
            cite_href("湘科发〔2026〕27号 art. 15").as_deref(),
            Some("/policies/hunan-2026#art-15")
        );
        assert_eq!(
            cite_href("湖北省国际科技合作基地管理办法第十九条").as_deref(),
            Some("/policies/hubei-2022#art-19")
        );
        assert_eq!(cite_href("第二条"), None);
        assert_eq!(cite_href("nowhere:3"), None);
    }
}
