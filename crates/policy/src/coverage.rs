//! 条款覆盖 — which articles the policy encodes, how, and which tests exercise them.
//!
//! For every article of a regulation the coverage lists the eligibility rules, parameters and
//! consequences that cite it and the tests that mention it (by its machine citation, e.g.
//! `hubei-2022:12(2)`, or by a rule's id). An article nothing encodes must say why in the policy
//! file's `not_encoded` list (立法目的、定义、职责分工、解释权…), so that the report a legal
//! reviewer signs off has no silent gap.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::citation::ArticleRef;
use crate::model::Policy;

/// Why an article has no encoding.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NotEncodedReason {
    /// 立法目的 — the purpose of the regulation.
    Purpose,
    /// 定义 — a definition or scope; its terms are encoded where they are used.
    Definition,
    /// 原则 — guiding principles with no operative rule.
    Principle,
    /// 职责分工 — who does what inside the administration.
    Duties,
    /// 支持措施 — support measures granted at the department's discretion.
    Support,
    /// 授权 — a delegation or discretion (解释权、可以…), no rule for the system to apply.
    Delegation,
    /// 其他 — anything else; the note says what.
    Other,
}

impl NotEncodedReason {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            NotEncodedReason::Purpose => "立法目的",
            NotEncodedReason::Definition => "定义",
            NotEncodedReason::Principle => "原则",
            NotEncodedReason::Duties => "职责分工",
            NotEncodedReason::Support => "支持措施",
            NotEncodedReason::Delegation => "授权",
            NotEncodedReason::Other => "其他",
        }
    }
}

/// An article deliberately left without encoding, and why (`not_encoded` in the policy file).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotEncoded {
    /// The article number (条).
    pub article: u16,
    /// The kind of reason.
    pub reason: NotEncodedReason,
    /// The reason in words, in Chinese, for the reviewer.
    pub note: String,
}

/// What kind of policy element cites an article.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum EncodingKind {
    /// 认定规则 — an eligibility rule.
    Rule,
    /// 后果规则 — a consequence.
    Consequence,
    /// 参数 — a procedure, lifecycle, transition or metadata parameter.
    Parameter,
    /// 术语 — a vocabulary term defined by the article.
    Term,
    /// 解释 — an interpretation of the article's words.
    Interpretation,
}

impl EncodingKind {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            EncodingKind::Rule => "规则",
            EncodingKind::Consequence => "后果",
            EncodingKind::Parameter => "参数",
            EncodingKind::Term => "术语",
            EncodingKind::Interpretation => "解释",
        }
    }
}

/// One element of the policy that cites an article.
#[derive(Debug, Clone, Serialize)]
pub struct Encoding {
    /// Rule, consequence, parameter, term or interpretation.
    pub kind: EncodingKind,
    /// Its id (rules, consequences, interpretations) or its path in the file (parameters, terms).
    pub id: String,
    /// What it says, in Chinese where the file has it.
    pub title: String,
    /// The exact place cited.
    pub at: ArticleRef,
}

/// Every element of the policy with the article it cites, in file order.
pub fn encodings(p: &Policy) -> Vec<Encoding> {
    let mut out = Vec::new();
    let mut param = |id: &str, title: &str, at: ArticleRef| {
        out.push(Encoding {
            kind: EncodingKind::Parameter,
            id: id.to_string(),
            title: title.to_string(),
            at,
        })
    };
    param(
        "validity",
        &format!("有效期 {} 年", p.validity.years),
        p.validity.article,
    );
    for s in &p.supersedes {
        param(
            "supersedes",
            &format!("废止《{}》（{}）", s.title, s.document_number),
            s.article,
        );
    }
    let pr = &p.procedure;
    param("procedure.application", "申报", pr.application.article);
    param("procedure.recommendation", "推荐", pr.recommendation.article);
    if let Some(a) = pr.recommendation.direct_article {
        param("procedure.recommendation.direct_article", "直接申请", a);
    }
    let er = &pr.expert_review;
    param(
        "procedure.expert_review",
        &format!(
            "专家评审：不少于 {} 名专家，评分 {}–{}",
            er.min_experts, er.score_min, er.score_max
        ),
        er.article,
    );
    if let Some(a) = er.site_inspection {
        param("procedure.expert_review.site_inspection", "现场勘验", a);
    }
    param("procedure.decision", "认定", pr.decision.article);
    let pn = &pr.public_notice;
    param(
        "procedure.public_notice",
        &format!("公示不少于 {} 个工作日", pn.working_days),
        pn.article,
    );
    param(
        "procedure.public_notice.objections_article",
        "实名异议",
        pn.objections_article,
    );
    param(
        "procedure.naming",
        &format!("命名：{}", pr.naming.template),
        pr.naming.article,
    );
    param(
        "procedure.naming.announcement_article",
        "公告",
        pr.naming.announcement_article,
    );
    let l = &p.lifecycle;
    param(
        "lifecycle.annual_report",
        &format!(
            "年度报告：每年 {} 月 {} 日前",
            l.annual_report.due_month, l.annual_report.due_day
        ),
        l.annual_report.article,
    );
    if let Some(a) = &l.annual_assessment {
        param("lifecycle.annual_assessment", "年度考核", a.article);
    }
    param("lifecycle.evaluation", "评估", l.evaluation.article);
    if let Some(r) = &l.rectification {
        param(
            "lifecycle.rectification",
            &format!("限期整改 {} 个月", r.months),
            r.article,
        );
    }
    if let Some(m) = &l.major_changes {
        param("lifecycle.major_changes", "重大事项报告", m.article);
    }
    if let Some(b) = &l.ban {
        param("lifecycle.ban", &format!("{} 年内不得重新申请", b.years), b.article);
    }
    for pr in &p.priority {
        param("priority", &format!("优先支持：{}", pr.scope), pr.article);
    }
    if let Some(d) = &l.inspection_draw {
        if let Some(a) = d.annual_assessment {
            param("lifecycle.inspection_draw.annual_assessment", "年度考核抽选现场考察", a);
        }
        param("lifecycle.inspection_draw.evaluation", "评估现场考察抽选", d.evaluation);
    }
    for s in &l.evaluation_support {
        param(
            "lifecycle.evaluation_support",
            &format!("{}：{}", s.grade, s.support_zh),
            s.article,
        );
    }
    if let Some(s) = &l.post_subsidy {
        param(
            "lifecycle.post_subsidy",
            &format!("后补助：至多 {}%（{}）", s.share_percent, s.rounding.zh()),
            s.article,
        );
        if let Some(a) = s.use_article {
            param("lifecycle.post_subsidy.use_article", "后补助资金自主管理使用", a);
        }
    }
    if let Some(c) = l.national_recommendation.as_ref().and_then(|n| n.criteria()) {
        param("lifecycle.national_recommendation", "推荐申报国家级基地", c.article);
        if let Some(e) = &c.latest_evaluation {
            param(
                "lifecycle.national_recommendation.latest_evaluation",
                "推荐条件：最近一次评估结果",
                e.article,
            );
        }
        if let Some(a) = &c.annual {
            param(
                "lifecycle.national_recommendation.annual",
                &format!("推荐条件：近{}年年度考核", a.years),
                a.article,
            );
        }
        if let crate::national::OnRecognition::Stays(a) = c.on_recognition {
            param(
                "lifecycle.national_recommendation.on_recognition",
                "认定为国家基地后继续纳入省级管理",
                a,
            );
        }
    }
    let t = &p.transitions;
    if let Some(m) = &t.category_mapping {
        param("transitions.category_mapping", "原类别对应新类别", m.article);
    }
    if let Some(s) = &t.national_bases_join {
        param("transitions.national_bases_join", "国家基地直接纳入", s.article);
    }
    if let Some(s) = &t.legacy_bases {
        param("transitions.legacy_bases", "施行前认定的基地", s.article);
    }
    let v = &p.vocabularies;
    for (name, terms) in [
        ("categories", &v.categories),
        ("unit_kinds", &v.unit_kinds),
        ("annual_grades", &v.annual_grades),
        ("evaluation_grades", &v.evaluation_grades),
        ("expert_conclusions", &v.expert_conclusions),
        ("decisions", &v.decisions),
        ("major_change_kinds", &v.major_change_kinds),
        ("findings", &v.findings),
    ] {
        for term in terms {
            if let Some(at) = term.article {
                out.push(Encoding {
                    kind: EncodingKind::Term,
                    id: format!("vocabularies.{name}.{}", term.code),
                    title: term.zh.clone(),
                    at,
                });
            }
        }
    }
    for i in &p.interpretations {
        out.push(Encoding {
            kind: EncodingKind::Interpretation,
            id: i.id.clone(),
            title: i.reading_zh.clone(),
            at: i.article,
        });
    }
    for r in &p.eligibility {
        out.push(Encoding {
            kind: EncodingKind::Rule,
            id: r.id.clone(),
            title: r.title_zh.clone(),
            at: r.article,
        });
    }
    for c in &p.consequences {
        out.push(Encoding {
            kind: EncodingKind::Consequence,
            id: c.id.clone(),
            title: c.title_zh.clone(),
            at: c.article,
        });
        if let Some(at) = c.ban.as_ref().and_then(|b| b.article) {
            out.push(Encoding {
                kind: EncodingKind::Consequence,
                id: format!("{}.ban", c.id),
                title: format!("{}（不得再申请）", c.title_zh),
                at,
            });
        }
    }
    out
}

/// A test source file, read from disk.
#[derive(Debug, Clone)]
pub struct TestSource {
    /// Its path, relative to the directory scanned.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// Reads every `.rs` file under `dir` that holds a test (`#[test]` or `#[tokio::test]`),
/// sorted by path; `target` directories and hidden ones are skipped.
pub fn scan_tests(dir: &Path) -> std::io::Result<Vec<TestSource>> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue; // not UTF-8: not a source file
        };
        if !(text.contains("#[test]") || text.contains("#[tokio::test")) {
            continue;
        }
        let path = f.strip_prefix(dir).unwrap_or(&f).display().to_string();
        out.push(TestSource { path, text });
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type()?.is_dir() {
            if name != "target" && !name.starts_with('.') {
                walk(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// A test that mentions an article or one of its rules.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct TestRef {
    /// The file, relative to the scanned directory.
    pub file: String,
    /// The test function's name.
    pub test: String,
}

/// One article in the coverage report.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleCoverage {
    /// The article number.
    pub article: u16,
    /// Its machine citation, e.g. `hubei-2022:12`.
    pub citation: String,
    /// 第十二条.
    pub article_zh: String,
    /// The chapter it belongs to.
    pub chapter: Option<String>,
    /// The elements citing it.
    pub encodings: Vec<Encoding>,
    /// Why it has none, when the file says.
    pub not_encoded: Option<NotEncoded>,
    /// Tests that mention the article's citation or one of its rules' ids.
    pub tests: Vec<TestRef>,
}

impl ArticleCoverage {
    /// An article with neither an encoding nor a stated reason — a gap the reviewer must see.
    pub fn is_gap(&self) -> bool {
        self.encodings.is_empty() && self.not_encoded.is_none()
    }
}

/// The coverage report of a policy.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// The policy id.
    pub policy: String,
    /// Its title.
    pub title: String,
    /// Its document number.
    pub document_number: String,
    /// Every article, in order.
    pub articles: Vec<ArticleCoverage>,
    /// Articles encoded / explained as not encoded / gaps / encoded without a test.
    pub summary: CoverageSummary,
}

/// Counts over a [`Coverage`].
#[derive(Debug, Clone, Copy, Serialize, Default, PartialEq, Eq)]
pub struct CoverageSummary {
    /// Articles in the policy.
    pub articles: usize,
    /// Articles with at least one encoding.
    pub encoded: usize,
    /// Articles listed in `not_encoded`.
    pub not_encoded: usize,
    /// Articles with neither.
    pub gaps: usize,
    /// Encoded articles no test mentions.
    pub untested: usize,
}

/// Builds the coverage of `p` against the test sources.
pub fn coverage(p: &Policy, tests: &[TestSource]) -> Coverage {
    let all = encodings(p);
    let mut summary = CoverageSummary::default();
    let mut articles = Vec::new();
    let mut chapter = None;
    for a in &p.articles {
        if a.chapter.is_some() {
            chapter = a.chapter.clone();
        }
        let at = ArticleRef::article(a.number);
        let encodings: Vec<Encoding> = all.iter().filter(|e| e.at.article == a.number).cloned().collect();
        let not_encoded = p.not_encoded.iter().find(|n| n.article == a.number).cloned();
        let rule_ids: Vec<&str> = encodings
            .iter()
            .filter(|e| e.kind == EncodingKind::Rule)
            .map(|e| e.id.as_str())
            .collect();
        let tests = tests_mentioning(&p.id, a.number, &rule_ids, tests);
        summary.articles += 1;
        if !encodings.is_empty() {
            summary.encoded += 1;
            if tests.is_empty() {
                summary.untested += 1;
            }
        } else if not_encoded.is_some() {
            summary.not_encoded += 1;
        } else {
            summary.gaps += 1;
        }
        articles.push(ArticleCoverage {
            article: a.number,
            citation: p.cite(at).to_string(),
            article_zh: p.cite_zh(at),
            chapter: chapter.clone(),
            encodings,
            not_encoded,
            tests,
        });
    }
    Coverage {
        policy: p.id.clone(),
        title: p.title.clone(),
        document_number: p.document_number.clone(),
        articles,
        summary,
    }
}

/// The tests whose body mentions `policy:article` (any paragraph or item of it) or one of the
/// rule ids in quotes.
fn tests_mentioning(policy: &str, article: u16, rule_ids: &[&str], tests: &[TestSource]) -> Vec<TestRef> {
    let citation = format!("{policy}:{article}");
    let quoted: Vec<String> = rule_ids.iter().map(|id| format!("\"{id}\"")).collect();
    let mut found = Vec::new();
    for src in tests {
        let mut hits = Vec::new();
        let mut from = 0;
        while let Some(i) = src.text[from..].find(&citation) {
            let end = from + i + citation.len();
            // `hubei-2022:2` must not match `hubei-2022:28`.
            if !src.text[end..].starts_with(|c: char| c.is_ascii_digit()) {
                hits.push(from + i);
            }
            from = end;
        }
        // Rule ids repeat across policies (`unit.credit`): count them only in files that name
        // this policy.
        if src.text.contains(policy) {
            for q in &quoted {
                hits.extend(src.text.match_indices(q.as_str()).map(|(i, _)| i));
            }
        }
        for h in hits {
            if let Some(test) = enclosing_test(&src.text[..h]) {
                let r = TestRef {
                    file: src.path.clone(),
                    test,
                };
                if !found.contains(&r) {
                    found.push(r);
                }
            }
        }
    }
    found.sort();
    found
}

/// The name of the test function a position lies in: the last `fn NAME` after a `#[test]` (or
/// `#[tokio::test…]`) attribute before it. Helpers outside tests are not counted.
fn enclosing_test(before: &str) -> Option<String> {
    // The attribute opens a line; `"#[test]"` inside a string does not count.
    let attr = before
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .chain(std::iter::once(0))
        .filter(|&i| {
            let line = before[i..].trim_start_matches([' ', '\t']);
            line.starts_with("#[test]") || line.starts_with("#[tokio::test")
        })
        .max()?;
    let rest = &before[attr..];
    let f = rest.find("fn ")?;
    let name: String = rest[f + 3..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Checks the `not_encoded` list: existing articles, once each, with a note. Returns the field
/// path and the reason.
pub(crate) fn validate_not_encoded(p: &Policy) -> Result<(), (String, String)> {
    let mut seen = std::collections::HashSet::new();
    for (i, n) in p.not_encoded.iter().enumerate() {
        if n.article == 0 || n.article as usize > p.articles.len() {
            return Err((
                format!("not_encoded[{i}].article"),
                format!(
                    "第{}条不存在 — article {} does not exist (the policy has {})",
                    n.article,
                    n.article,
                    p.articles.len()
                ),
            ));
        }
        if !seen.insert(n.article) {
            return Err((
                format!("not_encoded[{i}].article"),
                format!("第{}条重复列出 — article {} is listed twice", n.article, n.article),
            ));
        }
        if n.note.trim().is_empty() {
            return Err((
                format!("not_encoded[{i}].note"),
                "需写明不编码的理由 — give the reason in words".into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enclosing_test_is_found_and_helpers_are_not() {
        let src = "fn helper() { \"x\" }\n#[test]\nfn hubei_terminates() {\n  let c = \"hubei-2022:28.1\";\n}\n";
        let at = src.find("hubei-2022").unwrap();
        assert_eq!(enclosing_test(&src[..at]).as_deref(), Some("hubei_terminates"));
        assert_eq!(enclosing_test(&src[..10]), None);
        // An attribute quoted in a string is not a test.
        assert_eq!(enclosing_test("let a = \"#[test]\";\nfn walk() { "), None);
    }

    #[test]
    fn an_article_citation_does_not_match_a_longer_number() {
        let src = TestSource {
            path: "t.rs".into(),
            text: "#[test]\nfn a() { \"hubei-2022:28.1\"; }\n".into(),
        };
        assert!(tests_mentioning("hubei-2022", 2, &[], std::slice::from_ref(&src)).is_empty());
        assert_eq!(tests_mentioning("hubei-2022", 28, &[], &[src]).len(), 1);
    }
}
