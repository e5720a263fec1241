//! 公文 — official documents issued on a case, and the SM3 fingerprint of each printed copy.
//!
//! The department issues the documents the regulations call for: the 公示 notice (Hunan 第十条,
//! Hubei 第十二条), the naming 公告 and the 认定通知书 (命名), the 整改通知书 and the decisions to
//! terminate, revoke or disqualify (the consequence articles). Each is typeset to PDF outside the
//! domain; what the domain records is that it was issued — its kind, case, 文号, date, the text it
//! carries and the SM3 hash of the PDF — so a printed copy can be checked against the chain.
//!
//! Interpretation: the regulations prescribe *that* these documents exist, not their wording.
//! The wording is the department's; it is kept on the event so the same document can be
//! typeset again byte for byte.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::state::{BaseStatus, World};

/// The kinds of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 公示 — the public notice of the bases proposed.
    PublicNotice,
    /// 命名公告 — the announcement naming the bases.
    NamingAnnouncement,
    /// 认定通知书 — the recognition notice to one base.
    RecognitionNotice,
    /// 整改通知书 — the rectification notice.
    RectificationNotice,
    /// 终止决定 — the decision terminating a base's naming.
    TerminationDecision,
    /// 撤销决定 — the decision revoking a base's naming.
    RevocationDecision,
    /// 取消资格决定 — the decision disqualifying a base.
    DisqualificationDecision,
}

impl DocumentKind {
    /// Every kind.
    pub const ALL: [DocumentKind; 7] = [
        DocumentKind::PublicNotice,
        DocumentKind::NamingAnnouncement,
        DocumentKind::RecognitionNotice,
        DocumentKind::RectificationNotice,
        DocumentKind::TerminationDecision,
        DocumentKind::RevocationDecision,
        DocumentKind::DisqualificationDecision,
    ];

    /// The code, as in URLs and on the command line (`public_notice`).
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::PublicNotice => "public_notice",
            DocumentKind::NamingAnnouncement => "naming_announcement",
            DocumentKind::RecognitionNotice => "recognition_notice",
            DocumentKind::RectificationNotice => "rectification_notice",
            DocumentKind::TerminationDecision => "termination_decision",
            DocumentKind::RevocationDecision => "revocation_decision",
            DocumentKind::DisqualificationDecision => "disqualification_decision",
        }
    }

    /// Reads a code.
    pub fn from_code(code: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            DocumentKind::PublicNotice => "公示",
            DocumentKind::NamingAnnouncement => "命名公告",
            DocumentKind::RecognitionNotice => "认定通知书",
            DocumentKind::RectificationNotice => "整改通知书",
            DocumentKind::TerminationDecision => "终止命名决定",
            DocumentKind::RevocationDecision => "撤销命名决定",
            DocumentKind::DisqualificationDecision => "取消资格决定",
        }
    }

    /// English name.
    pub fn en(self) -> &'static str {
        match self {
            DocumentKind::PublicNotice => "public notice",
            DocumentKind::NamingAnnouncement => "naming announcement",
            DocumentKind::RecognitionNotice => "recognition notice",
            DocumentKind::RectificationNotice => "rectification notice",
            DocumentKind::TerminationDecision => "termination decision",
            DocumentKind::RevocationDecision => "revocation decision",
            DocumentKind::DisqualificationDecision => "disqualification decision",
        }
    }

    /// The kind of case it is issued on: `notice` or `base`.
    pub fn case_kind(self) -> &'static str {
        match self {
            DocumentKind::PublicNotice | DocumentKind::NamingAnnouncement => "notice",
            _ => "base",
        }
    }

    /// For a base's decision: whether the base's status is the one the decision records.
    pub fn fits_status(self, status: BaseStatus) -> bool {
        match self {
            DocumentKind::TerminationDecision => status == BaseStatus::Terminated,
            DocumentKind::RevocationDecision => status == BaseStatus::Revoked,
            DocumentKind::DisqualificationDecision => matches!(status, BaseStatus::Disqualified { .. }),
            _ => true,
        }
    }
}

/// The words of a document, as typeset under the red header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentText {
    /// 发文机关 — the issuing organ (the policy's issuer).
    pub issuer: String,
    /// 标题.
    pub title: String,
    /// 主送机关 — to whom, if addressed.
    pub addressee: Option<String>,
    /// 正文 — the paragraphs.
    pub paragraphs: Vec<String>,
    /// A list under the paragraphs (the bases proposed or named), one line each.
    pub list: Vec<String>,
    /// The closing line (`特此公告。`), if any.
    pub closing: Option<String>,
}

/// 印发公文 — records that a document was issued: its SM3 hash is put on the chain.
/// Irreversible: a printed document is out in the world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueDocument {
    /// Kind.
    pub kind: DocumentKind,
    /// The case: `notice/<id>` or `base/<id>`.
    pub case: String,
    /// 文号.
    pub number: String,
    /// 成文日期 — the document's date.
    pub issued_on: NaiveDate,
    /// The text typeset.
    pub text: DocumentText,
    /// The articles it applies, machine form, from the case's events.
    pub articles: Vec<String>,
    /// SM3 of the PDF, lowercase hex.
    pub sm3: String,
}

/// 公文已印发.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentIssued {
    /// Kind.
    pub kind: DocumentKind,
    /// The case.
    pub case: String,
    /// 文号.
    pub number: String,
    /// 成文日期.
    pub issued_on: NaiveDate,
    /// The text typeset.
    pub text: DocumentText,
    /// SM3 of the PDF, lowercase hex.
    pub sm3: String,
}

/// A document as the world keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedDocument {
    /// The event.
    pub event: DocumentIssued,
    /// The business date it was recorded.
    pub recorded_on: NaiveDate,
    /// The articles the event cites, machine form.
    pub articles: Vec<String>,
}

impl World {
    /// The document whose PDF has this SM3 hash (lowercase hex).
    pub fn document_by_sm3(&self, sm3: &str) -> Option<&IssuedDocument> {
        self.documents.get(sm3)
    }

    /// The document of a kind issued on a case, if any.
    pub fn document_of(&self, case: &str, kind: DocumentKind) -> Option<&IssuedDocument> {
        self.documents.of_case(case).find(|d| d.event.kind == kind)
    }

    /// Every document issued on a case, by kind.
    pub fn documents_of(&self, case: &str) -> Vec<&IssuedDocument> {
        let mut v: Vec<&IssuedDocument> = self.documents.of_case(case).collect();
        v.sort_by_key(|d| d.event.kind);
        v
    }

    /// The document that carries a 文号, if any.
    pub fn document_numbered(&self, number: &str) -> Option<&IssuedDocument> {
        self.documents.numbered(number).next()
    }

    /// The kinds of document a case may have issued now, by its state.
    pub fn document_kinds_for(&self, case: &str) -> Vec<DocumentKind> {
        let Some((kind, id)) = case.split_once('/') else {
            return Vec::new();
        };
        match kind {
            "notice" => match self.notice(id) {
                Some(n) => {
                    let mut v = vec![DocumentKind::PublicNotice];
                    if n.applications
                        .iter()
                        .any(|a| self.application(a).is_some_and(|a| a.base.is_some()))
                    {
                        v.push(DocumentKind::NamingAnnouncement);
                    }
                    v
                }
                None => Vec::new(),
            },
            "base" => match self.base(id) {
                Some(b) => {
                    let mut v = Vec::new();
                    if matches!(b.origin, crate::state::Origin::Named { .. }) {
                        v.push(DocumentKind::RecognitionNotice);
                    }
                    if b.rectification.is_some() {
                        v.push(DocumentKind::RectificationNotice);
                    }
                    for k in [
                        DocumentKind::TerminationDecision,
                        DocumentKind::RevocationDecision,
                        DocumentKind::DisqualificationDecision,
                    ] {
                        if k.fits_status(b.status) {
                            v.push(k);
                        }
                    }
                    v
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_from_their_codes_and_fit_their_cases() {
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::from_code(k.code()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.code()));
        }
        assert_eq!(DocumentKind::from_code("memo"), None);
        assert_eq!(DocumentKind::PublicNotice.case_kind(), "notice");
        assert_eq!(DocumentKind::RevocationDecision.case_kind(), "base");
        assert!(DocumentKind::RevocationDecision.fits_status(BaseStatus::Revoked));
        assert!(!DocumentKind::RevocationDecision.fits_status(BaseStatus::Terminated));
        assert!(DocumentKind::DisqualificationDecision.fits_status(BaseStatus::Disqualified { ban_until: None }));
    }

    #[test]
    fn an_empty_world_has_no_documents_to_issue() {
        let w = World::default();
        assert!(w.document_kinds_for("notice/N1").is_empty());
        assert!(w.document_kinds_for("base/B1").is_empty());
        assert!(w.document_kinds_for("nonsense").is_empty());
        assert!(w.document_by_sm3(&"0".repeat(64)).is_none());
    }
}
