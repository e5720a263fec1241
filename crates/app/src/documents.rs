//! 公文 — drafting official documents from the case, typesetting them, recording their SM3
//! hash on the chain when issued, and checking a printed copy against the chain.
//!
//! The words come from the world (the notice, the applications, the base, its status) and the
//! articles from the case's own events, so a document says what the record says. Once issued,
//! the words live on the `DocumentIssued` event: downloading again typesets that event, not
//! the case as it is now, and gives the same bytes.

use std::sync::Arc;

use chrono::NaiveDate;
use guohe_documents::{Fonts, RenderError, Sheet, sm3_hex};
use guohe_domain::{Actor, Command, DocumentKind, DocumentText, IssueDocument, IssuedDocument, Refusal, RefusalCode};
use guohe_policy::Citation;

use crate::{AppError, Guohe};

mod texts;

pub use texts::draft;
use texts::refused;

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
