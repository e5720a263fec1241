//! 公文 — drafting official documents from the case, typesetting them, recording their SM3
//! hash on the chain when issued, and checking a printed copy against the chain.
//!
//! The words come from the world (the notice, the applications, the base, its status) and the
//! articles from the case's own events, so a document says what the record says. Once issued,
//! the words live on the `DocumentIssued` event: downloading again typesets that event, not
//! the case as it is now, and gives the same bytes.

use std::sync::Arc;

use chrono::NaiveDate;
use guohe_documents::{Fonts, RenderError, Sheet, chinese_date, sm3_hex};
use guohe_domain::{
    Actor, BaseStatus, Command, DocumentKind, DocumentText, EventKind, IssueDocument, IssuedDocument, Refusal,
    RefusalCode, World,
};
use guohe_policy::model::Policy;
use guohe_policy::{Citation, PolicySet};

use crate::{AppError, Guohe};

/// Why a document could not be issued or typeset.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The application service said no (refusal, conflict, database).
    #[error(transparent)]
    App(#[from] AppError),
    /// The fonts are missing or typst failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// Typesetting the issued words again gives other bytes than were issued: the fonts or the
    /// typesetter changed since. Serving the new bytes would hand out a copy that fails
    /// verification, so none is served.
    #[error(
        "typesetting {number} again gives SM3 {now}, not the issued {issued}: the fonts or the typesetter changed since it was issued"
    )]
    Changed {
        /// 文号.
        number: String,
        /// The hash on the chain.
        issued: String,
        /// The hash typeset now.
        now: String,
    },
}

impl DocumentError {
    /// The message in Chinese, for pages.
    pub fn message_zh(&self) -> String {
        match self {
            DocumentError::App(e) => e.message_zh(),
            DocumentError::Render(e) => e.message_zh(),
            DocumentError::Changed { number, .. } => format!(
                "重新排版《{number}》得到的文件与印发时不同（字体或排版程序已更换），为免发出无法核验的副本，暂不提供下载；请恢复印发时的字体。"
            ),
        }
    }
}

/// An issued document's PDF and where it is on the chain.
#[derive(Debug, Clone)]
pub struct IssuedPdf {
    /// The record in the world.
    pub document: IssuedDocument,
    /// The PDF.
    pub pdf: Vec<u8>,
    /// The event's global sequence number.
    pub seq: i64,
    /// The event's chain hash.
    pub event_hash: String,
}

/// What to issue: the kind of document, for which case, under which 文号, dated when.
#[derive(Debug, Clone, Copy)]
pub struct DocumentOrder<'a> {
    /// The kind of document.
    pub kind: DocumentKind,
    /// The case (notice, application or base id).
    pub case: &'a str,
    /// 文号.
    pub number: &'a str,
    /// 成文日期 — the date the document bears.
    pub issued_on: NaiveDate,
}

/// What a file is, checked against the chain.
#[derive(Debug, Clone)]
pub enum DocumentCheck {
    /// The file's SM3 is on the chain: a genuine copy of this document.
    Genuine {
        /// The file's SM3.
        sm3: String,
        /// The record.
        document: Box<IssuedDocument>,
        /// The issuing event's sequence number.
        seq: i64,
        /// The issuing event's chain hash.
        event_hash: String,
    },
    /// No document with this SM3 was issued: the file is not a genuine copy (or was changed).
    Unknown {
        /// The file's SM3.
        sm3: String,
    },
}

fn refused(zh: String, en: String, field: &str) -> AppError {
    AppError::Refused(Refusal::invalid(field, zh, en))
}

fn cite_zh(policies: &PolicySet, c: &Citation) -> String {
    match policies.get(&c.policy) {
        Some(p) => format!("《{}》{}", p.title, c.to_chinese(p.item_style)),
        None => c.to_string(),
    }
}

fn cites_zh(policies: &PolicySet, cs: &[Citation]) -> String {
    let mut v: Vec<String> = Vec::new();
    for c in cs {
        let s = cite_zh(policies, c);
        if !v.contains(&s) {
            v.push(s);
        }
    }
    v.join("、")
}

fn term_zh(terms: &[guohe_policy::model::Term], code: &str) -> String {
    terms
        .iter()
        .find(|t| t.code == code)
        .map(|t| t.zh.clone())
        .unwrap_or_else(|| code.to_string())
}

/// The words and the articles of a document, drafted from the case. `events` are the case's
/// events (its stream), whose articles the document cites.
pub fn draft(
    world: &World,
    policies: &PolicySet,
    kind: DocumentKind,
    case: &str,
    events: &[guohe_domain::Event],
) -> Result<(DocumentText, Vec<Citation>), Refusal> {
    let not_found = || {
        Refusal::new(
            RefusalCode::NotFound,
            format!("案件“{case}”不存在"),
            format!("no case `{case}`"),
        )
        .at("case")
    };
    let policy_id = world.policy_of_stream(case).ok_or_else(not_found)?;
    let policy = policies.get(policy_id).ok_or_else(|| {
        Refusal::new(
            RefusalCode::PolicyUnavailable,
            format!("未载入办法“{policy_id}”"),
            format!("policy `{policy_id}` is not loaded"),
        )
    })?;
    if let Some(d) = world.document_of(case, kind) {
        return Err(Refusal::new(
            RefusalCode::Duplicate,
            format!(
                "该{}已于 {} 印发（{}），可重新下载，不能再次印发",
                kind.zh(),
                d.event.issued_on,
                d.event.number
            ),
            format!(
                "this {} was issued on {} ({}); download it again instead",
                kind.en(),
                d.event.issued_on,
                d.event.number
            ),
        )
        .at("kind"));
    }
    if !world.document_kinds_for(case).contains(&kind) {
        return Err(Refusal::new(
            RefusalCode::WrongState,
            format!("案件“{case}”当前不能印发{}", kind.zh()),
            format!("case `{case}` has no {} to issue", kind.en()),
        )
        .at("kind"));
    }
    let id = case.split_once('/').map(|(_, id)| id).unwrap_or_default();
    match kind {
        DocumentKind::PublicNotice => public_notice(world, policies, policy, id, events),
        DocumentKind::NamingAnnouncement => naming_announcement(world, policies, policy, id),
        DocumentKind::RecognitionNotice => recognition_notice(world, policies, policy, id),
        _ => base_decision(world, policies, policy, kind, id, events),
    }
    .ok_or_else(not_found)
}

fn policy_ref(policy: &Policy) -> String {
    format!("《{}》（{}）", policy.title, policy.document_number)
}

fn public_notice(
    world: &World,
    policies: &PolicySet,
    policy: &Policy,
    id: &str,
    events: &[guohe_domain::Event],
) -> Option<(DocumentText, Vec<Citation>)> {
    let n = world.notice(id)?;
    let pn = &policy.procedure.public_notice;
    let mut cites: Vec<Citation> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::PublicNoticeStarted(_)))
        .flat_map(|e| e.articles.clone())
        .collect();
    if cites.is_empty() {
        cites.push(policy.cite(pn.article));
    }
    let objection_cite = policy.cite(pn.objections_article);
    let list = n
        .applications
        .iter()
        .filter_map(|a| world.application(a))
        .map(|a| {
            let category = a
                .facts
                .category
                .as_deref()
                .map(|c| format!("，{}", term_zh(&policy.vocabularies.categories, c)))
                .unwrap_or_default();
            format!("{}（{}领域{category}）", a.facts.unit.name, a.facts.technology_domain)
        })
        .collect();
    let text = DocumentText {
        issuer: policy.issuer.clone(),
        title: format!("关于{}年度拟认定国际科技合作基地的公示", n.starts_on.format("%Y")),
        addressee: None,
        paragraphs: vec![
            format!(
                "根据{}{}的规定，经形式审查、专家评审和认定，拟认定以下{}家单位为国际科技合作基地，现予以公示。",
                policy_ref(policy),
                cites_zh(policies, &cites).replace(&format!("《{}》", policy.title), ""),
                n.applications.len()
            ),
            format!(
                "公示期为{}个工作日，自{}起至{}止。",
                pn.working_days,
                chinese_date(n.starts_on),
                chinese_date(n.ends_on)
            ),
            format!(
                "公示期内，任何单位和个人对公示对象有异议的，可向{}以实名书面形式提出，写明异议人真实姓名、联系方式和异议内容并提供必要的证明材料；也可在本系统公示页面（公示编号 {}）提交实名异议。匿名异议不予受理（{}）。",
                policy.issuer,
                n.id,
                cite_zh(policies, &objection_cite)
            ),
            "拟认定名单如下：".to_string(),
        ],
        list,
        closing: Some("特此公示。".into()),
    };
    cites.push(objection_cite);
    Some((text, cites))
}

fn naming_announcement(
    world: &World,
    policies: &PolicySet,
    policy: &Policy,
    id: &str,
) -> Option<(DocumentText, Vec<Citation>)> {
    let n = world.notice(id)?;
    let naming = &policy.procedure.naming;
    let cites = vec![policy.cite(naming.article), policy.cite(naming.announcement_article)];
    let list: Vec<String> = n
        .applications
        .iter()
        .filter_map(|a| world.application(a)?.base.as_deref())
        .filter_map(|b| world.base(b))
        .map(|b| format!("{}（依托单位：{}）", b.official_name, b.unit_name))
        .collect();
    let text = DocumentText {
        issuer: policy.issuer.clone(),
        title: format!("关于命名{}年度国际科技合作基地的公告", n.starts_on.format("%Y")),
        addressee: None,
        paragraphs: vec![
            format!(
                "根据{}的规定，经申报、推荐、评审、认定和公示（自{}至{}，公示期满无异议或异议不成立），现命名以下{}家基地为国际科技合作基地（{}）。",
                policy_ref(policy),
                chinese_date(n.starts_on),
                chinese_date(n.ends_on),
                list.len(),
                cites_zh(policies, &cites).replace(&format!("《{}》", policy.title), "")
            ),
            "请各基地及其依托单位按照办法要求加强建设和管理，按时报送年度报告，接受评估。".into(),
        ],
        list,
        closing: Some("特此公告。".into()),
    };
    Some((text, cites))
}

fn recognition_notice(
    world: &World,
    policies: &PolicySet,
    policy: &Policy,
    id: &str,
) -> Option<(DocumentText, Vec<Citation>)> {
    let b = world.base(id)?;
    let naming = &policy.procedure.naming;
    let cites = vec![policy.cite(naming.article)];
    let category = b
        .category
        .as_deref()
        .map(|c| format!("，类别为{}", term_zh(&policy.vocabularies.categories, c)))
        .unwrap_or_default();
    let text = DocumentText {
        issuer: policy.issuer.clone(),
        title: format!("关于认定{}的通知", b.official_name),
        addressee: Some(b.unit_name.clone()),
        paragraphs: vec![
            format!(
                "根据{}{}的规定，经评审、认定和公示，你单位获认定为国际科技合作基地，命名为“{}”（技术领域：{}{category}；基地负责人：{}），自{}起纳入管理。",
                policy_ref(policy),
                cites_zh(policies, &cites).replace(&format!("《{}》", policy.title), ""),
                b.official_name,
                b.domain,
                b.director,
                chinese_date(b.recognised_on)
            ),
            "请你单位按照办法要求加强基地建设和管理，每年按时报送上一年度工作报告，如遇基地更名、负责人变化等重大事项及时报告，并接受评估。".into(),
        ],
        list: Vec::new(),
        closing: Some("特此通知。".into()),
    };
    Some((text, cites))
}

fn base_decision(
    world: &World,
    policies: &PolicySet,
    policy: &Policy,
    kind: DocumentKind,
    id: &str,
    events: &[guohe_domain::Event],
) -> Option<(DocumentText, Vec<Citation>)> {
    let b = world.base(id)?;
    // The event that recorded the measure: its consequence rule, date and articles.
    let found = events.iter().rev().find_map(|e| {
        let (rule, on) = match (&e.kind, kind) {
            (EventKind::RectificationOrdered(x), DocumentKind::RectificationNotice) => (x.consequence.as_str(), x.from),
            (EventKind::BaseTerminated(x), DocumentKind::TerminationDecision) => {
                (x.consequence.as_str(), x.effective_on)
            }
            (EventKind::BaseRevoked(x), DocumentKind::RevocationDecision) => (x.consequence.as_str(), x.effective_on),
            (EventKind::BaseDisqualified(x), DocumentKind::DisqualificationDecision) => {
                (x.consequence.as_str(), x.effective_on)
            }
            _ => return None,
        };
        Some((rule.to_string(), on, e.articles.clone()))
    });
    let (rule, on, cites) = found?;
    let reason = policy
        .consequences
        .iter()
        .find(|c| c.id == rule)
        .map(|c| c.title_zh.clone())
        .unwrap_or(rule);
    let basis = cites_zh(policies, &cites);
    let (title, body, closing) = match kind {
        DocumentKind::RectificationNotice => {
            let until = b.rectification.as_ref().map(|r| r.until).unwrap_or(on);
            (
                format!("关于{}限期整改的通知", b.official_name),
                vec![
                    format!("经查，你单位依托建设的{}存在以下情形：{reason}。", b.official_name),
                    format!(
                        "根据{basis}的规定，现责令限期整改，整改期自{}起至{}止。",
                        chinese_date(on),
                        chinese_date(until)
                    ),
                    "请你单位认真落实整改，整改期满后接受复评；复评不合格的，将依照办法规定处理。".to_string(),
                ],
                "特此通知。",
            )
        }
        _ => {
            let (verb, extra) = match b.status {
                BaseStatus::Disqualified { ban_until: Some(until) } => (
                    "取消其国际科技合作基地资格",
                    format!("你单位在{}前不得再次申请。", chinese_date(until)),
                ),
                BaseStatus::Disqualified { ban_until: None } => ("取消其国际科技合作基地资格", String::new()),
                BaseStatus::Revoked => ("撤销其国际科技合作基地命名", String::new()),
                _ => ("终止并注销其国际科技合作基地命名", String::new()),
            };
            (
                format!("关于{}{}的决定", b.official_name, kind.zh().trim_end_matches("决定")),
                vec![
                    format!(
                        "经查，{}（依托单位：{}）存在以下情形：{reason}。",
                        b.official_name, b.unit_name
                    ),
                    format!("根据{basis}的规定，决定{verb}，自{}起生效。{extra}", chinese_date(on)),
                ],
                "特此决定。",
            )
        }
    };
    let text = DocumentText {
        issuer: policy.issuer.clone(),
        title,
        addressee: Some(b.unit_name.clone()),
        paragraphs: body,
        list: Vec::new(),
        closing: Some(closing.into()),
    };
    Some((text, cites))
}

/// Typesets a document on a blocking thread (typst is CPU-bound).
async fn typeset(
    fonts: Arc<Fonts>,
    kind: DocumentKind,
    case: String,
    number: String,
    issued_on: NaiveDate,
    text: DocumentText,
) -> Result<Vec<u8>, RenderError> {
    tokio::task::spawn_blocking(move || {
        let ident = format!("{case}#{}#{number}", kind.code());
        guohe_documents::render(
            &fonts,
            &Sheet {
                kind,
                number: &number,
                issued_on,
                text: &text,
                ident: &ident,
            },
        )
    })
    .await
    .map_err(|e| RenderError::Typeset(e.to_string()))?
}

impl Guohe {
    /// The case's events, decoded.
    async fn case_events(&self, case: &str) -> Result<Vec<guohe_domain::Event>, AppError> {
        self.history(case).await?.iter().map(crate::decode).collect()
    }

    /// Drafts a document without issuing it: its words and the articles cited.
    pub async fn draft_document(
        &self,
        kind: DocumentKind,
        case: &str,
    ) -> Result<(DocumentText, Vec<Citation>), AppError> {
        let events = self.case_events(case).await?;
        self.read(|w, _, p| draft(w, p, kind, case, &events))
            .await
            .map_err(AppError::Refused)
    }

    /// 印发 — drafts the document from the case, typesets it, and records its SM3 on the chain.
    /// Nothing is recorded when the fonts are missing or the command is refused.
    pub async fn issue_document(
        &self,
        fonts: Arc<Fonts>,
        actor: &Actor,
        today: NaiveDate,
        order: DocumentOrder<'_>,
    ) -> Result<IssuedPdf, DocumentError> {
        let DocumentOrder {
            kind,
            case,
            number,
            issued_on,
        } = order;
        let number = number.trim();
        if number.is_empty() {
            return Err(refused("文号不能为空".into(), "`number` must not be empty".into(), "number").into());
        }
        let (text, cites) = self.draft_document(kind, case).await?;
        let pdf = typeset(
            fonts,
            kind,
            case.to_string(),
            number.to_string(),
            issued_on,
            text.clone(),
        )
        .await?;
        let sm3 = sm3_hex(&pdf);
        let cmd = Command::IssueDocument(IssueDocument {
            kind,
            case: case.to_string(),
            number: number.to_string(),
            issued_on,
            text,
            articles: cites.iter().map(|c| c.to_string()).collect(),
            sm3: sm3.clone(),
        });
        let outcome = self.execute(actor, today, cmd).await?;
        let stored = outcome
            .stored
            .first()
            .ok_or_else(|| AppError::Corrupt("the issue recorded no event".into()))?;
        let document = self
            .read(|w, _, _| w.document_by_sm3(&sm3).cloned())
            .await
            .ok_or_else(|| AppError::Corrupt("the issued document is not in the world".into()))?;
        Ok(IssuedPdf {
            document,
            pdf,
            seq: stored.seq,
            event_hash: stored.hash.clone(),
        })
    }

    /// Where the issuing event of a document is on the chain: its sequence number and hash.
    async fn issuing_event(&self, d: &IssuedDocument) -> Result<(i64, String), AppError> {
        let history = self.history(&d.event.case).await?;
        history
            .iter()
            .find(|e| {
                e.kind == "DocumentIssued"
                    && e.payload.get("sm3").and_then(|v| v.as_str()) == Some(d.event.sm3.as_str())
            })
            .map(|e| (e.seq, e.hash.clone()))
            .ok_or_else(|| {
                AppError::Corrupt(format!(
                    "no DocumentIssued event for {} on {}",
                    d.event.sm3, d.event.case
                ))
            })
    }

    /// The issued document of a kind on a case, typeset again from its event.
    pub async fn issued_document_pdf(
        &self,
        fonts: Arc<Fonts>,
        case: &str,
        kind: DocumentKind,
    ) -> Result<IssuedPdf, DocumentError> {
        let document = self
            .read(|w, _, _| w.document_of(case, kind).cloned())
            .await
            .ok_or_else(|| {
                AppError::Refused(
                    Refusal::new(
                        RefusalCode::NotFound,
                        format!("案件“{case}”尚未印发{}", kind.zh()),
                        format!("no {} was issued on `{case}`", kind.en()),
                    )
                    .at("kind"),
                )
            })?;
        let e = &document.event;
        let pdf = typeset(
            fonts,
            e.kind,
            e.case.clone(),
            e.number.clone(),
            e.issued_on,
            e.text.clone(),
        )
        .await?;
        let now = sm3_hex(&pdf);
        if now != e.sm3 {
            return Err(DocumentError::Changed {
                number: e.number.clone(),
                issued: e.sm3.clone(),
                now,
            });
        }
        let (seq, event_hash) = self.issuing_event(&document).await?;
        Ok(IssuedPdf {
            document,
            pdf,
            seq,
            event_hash,
        })
    }

    /// 核验 — whether a file is a genuine copy of an issued document: its SM3 is looked up on
    /// the chain. A changed byte changes the hash, and the file is then unknown.
    pub async fn verify_document(&self, bytes: &[u8]) -> Result<DocumentCheck, AppError> {
        let sm3 = sm3_hex(bytes);
        let Some(document) = self.read(|w, _, _| w.document_by_sm3(&sm3).cloned()).await else {
            return Ok(DocumentCheck::Unknown { sm3 });
        };
        let (seq, event_hash) = self.issuing_event(&document).await?;
        Ok(DocumentCheck::Genuine {
            sm3,
            document: Box::new(document),
            seq,
            event_hash,
        })
    }

    /// The documents issued on a case.
    pub async fn documents_of(&self, case: &str) -> Vec<IssuedDocument> {
        self.read(|w, _, _| w.documents_of(case).into_iter().cloned().collect())
            .await
    }
}
