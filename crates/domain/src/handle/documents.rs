//! 印发公文 — deciding that a document was issued on a case and recording its SM3 hash.

use guohe_policy::Citation;

use super::{H, R, non_empty, wrong_state};
use crate::actor::Role;
use crate::document::{DocumentIssued, DocumentKind, IssueDocument};
use crate::event::EventKind;
use crate::refusal::{Refusal, RefusalCode};

/// The longest 文号 accepted.
const MAX_NUMBER_CHARS: usize = 80;

/// The longest paragraph accepted: a guard against pasting a whole file, not a rule.
const MAX_PARAGRAPH_CHARS: usize = 4000;

impl H<'_, '_> {
    pub(super) fn issue_document(&self, c: IssueDocument) -> R {
        self.role(&[Role::Department], "印发公文", "issue documents")?;
        let policy_id = self.case_policy(&c)?;
        self.policy(&policy_id)?;
        non_empty("number", &c.number, "文号")?;
        if !number_ok(&c.number) {
            return Err(Refusal::invalid(
                "number",
                format!("文号须为1—{MAX_NUMBER_CHARS}个字符，不含控制字符和“<”“>”"),
                format!("the 文号 is 1–{MAX_NUMBER_CHARS} characters without control characters, `<` or `>`"),
            ));
        }
        if c.issued_on > self.ctx.today {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                format!("成文日期 {} 晚于业务日期 {}", c.issued_on, self.ctx.today),
                format!(
                    "the document date {} is after the business date {}",
                    c.issued_on, self.ctx.today
                ),
            )
            .at("issued_on"));
        }
        if !(c.sm3.len() == 64 && c.sm3.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))) {
            return Err(Refusal::invalid(
                "sm3",
                "SM3 摘要须为64位小写十六进制",
                "the SM3 hash is 64 lowercase hex digits",
            ));
        }
        non_empty("text.title", &c.text.title, "标题")?;
        non_empty("text.issuer", &c.text.issuer, "发文机关")?;
        if c.text.paragraphs.iter().all(|p| p.trim().is_empty()) {
            return Err(Refusal::invalid("text.paragraphs", "正文不能为空", "the body is empty"));
        }
        if c.text
            .paragraphs
            .iter()
            .any(|p| p.chars().count() > MAX_PARAGRAPH_CHARS)
        {
            return Err(Refusal::invalid(
                "text.paragraphs",
                format!("正文段落超过{MAX_PARAGRAPH_CHARS}字"),
                format!("a paragraph is longer than {MAX_PARAGRAPH_CHARS} characters"),
            ));
        }
        if let Some(d) = self.world.document_of(&c.case, c.kind) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!(
                    "该{}已于 {} 印发（{}），可重新下载，不能再次印发",
                    c.kind.zh(),
                    d.event.issued_on,
                    d.event.number
                ),
                format!(
                    "this {} was issued on {} ({}); download it again instead",
                    c.kind.en(),
                    d.event.issued_on,
                    d.event.number
                ),
            )
            .at("kind"));
        }
        if let Some(d) = self.world.document_numbered(&c.number) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("文号“{}”已用于{}（{}）", c.number, d.event.kind.zh(), d.event.case),
                format!(
                    "the number `{}` is already on the {} of {}",
                    c.number,
                    d.event.kind.en(),
                    d.event.case
                ),
            )
            .at("number"));
        }
        if self.world.document_by_sm3(&c.sm3).is_some() {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                "相同内容的公文已经印发",
                "a document with the same bytes was already issued",
            )
            .at("sm3"));
        }
        let mut articles: Vec<Citation> = Vec::new();
        for (i, a) in c.articles.iter().enumerate() {
            let cite = Citation::parse(a).map_err(|m| {
                Refusal::invalid(
                    format!("articles[{i}]"),
                    format!("条款“{a}”无法识别：{m}"),
                    format!("article `{a}`: {m}"),
                )
            })?;
            self.policy(&cite.policy).map_err(|r| r.at(format!("articles[{i}]")))?;
            if !articles.contains(&cite) {
                articles.push(cite);
            }
        }
        if articles.is_empty() {
            return Err(Refusal::invalid(
                "articles",
                "公文须引用所依据的条款",
                "a document cites the articles it applies",
            ));
        }
        Ok(vec![self.ev(
            c.case.clone(),
            articles,
            EventKind::DocumentIssued(DocumentIssued {
                kind: c.kind,
                case: c.case,
                number: c.number.trim().to_string(),
                issued_on: c.issued_on,
                text: c.text,
                sm3: c.sm3,
            }),
        )])
    }

    /// The case exists, is of the kind the document is issued on, and its state calls for the
    /// document; answers the case's policy.
    fn case_policy(&self, c: &IssueDocument) -> Result<String, Refusal> {
        let (kind, id) = c.case.split_once('/').unwrap_or(("", ""));
        if kind != c.kind.case_kind() {
            return Err(Refusal::invalid(
                "case",
                format!(
                    "{}须在{}上印发（如 {}/编号）",
                    c.kind.zh(),
                    case_zh(c.kind.case_kind()),
                    c.kind.case_kind()
                ),
                format!(
                    "a {} is issued on a {} case (`{}/<id>`)",
                    c.kind.en(),
                    c.kind.case_kind(),
                    c.kind.case_kind()
                ),
            ));
        }
        let policy = match kind {
            "notice" => {
                let n = self.world.notice(id).ok_or_else(|| {
                    Refusal::new(
                        RefusalCode::NotFound,
                        format!("公示“{id}”不存在"),
                        format!("no notice `{id}`"),
                    )
                    .at("case")
                })?;
                n.policy.clone()
            }
            _ => self.base(id, "case")?.policy.clone(),
        };
        if !self.world.document_kinds_for(&c.case).contains(&c.kind) {
            let (zh, en) = match c.kind {
                DocumentKind::NamingAnnouncement => (
                    "该公示所列申报尚未命名，不能印发命名公告".to_string(),
                    "no application of this notice has been named yet".to_string(),
                ),
                DocumentKind::RecognitionNotice => (
                    "该基地不是经申报认定命名的，没有认定通知书".to_string(),
                    "this base was not named after an application".to_string(),
                ),
                DocumentKind::RectificationNotice => (
                    "该基地未被责令限期整改".to_string(),
                    "this base was never ordered to rectify".to_string(),
                ),
                k => {
                    let st = self.world.base(id).map(|b| b.status);
                    (
                        format!(
                            "该基地当前为“{}”，与{}不符",
                            st.map(|s| s.zh()).unwrap_or("未知"),
                            k.zh()
                        ),
                        format!(
                            "the base is {}; no {} applies",
                            st.map(|s| s.en()).unwrap_or("unknown"),
                            k.en()
                        ),
                    )
                }
            };
            return Err(wrong_state(zh, en).at("kind"));
        }
        Ok(policy)
    }
}

/// A 文号 as printed: 发文机关代字〔年份〕序号 — no markup, no control characters.
pub(crate) fn number_ok(n: &str) -> bool {
    n.chars().count() <= MAX_NUMBER_CHARS && !n.chars().any(|ch| ch.is_control() || ch == '<' || ch == '>')
}

fn case_zh(kind: &str) -> &'static str {
    match kind {
        "notice" => "公示案件",
        _ => "基地案件",
    }
}
