//! 公文 — what the department's documents page of a case (a notice's 公示, a base's 认定 or
//! other notices) shows, read from the world here so that the web only authorizes, labels and
//! lays it out: which kinds the case may have issued in its present state, and those issued.
//! Issuing and rendering the PDFs is [`crate::documents`]'.

use guohe_domain::{DocumentKind, IssuedDocument};

use crate::Guohe;

/// A case with documents, as its page names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentCase {
    /// The policy the case is under: what the caller authorizes against.
    pub policy: String,
    /// The official name of the base, for a base's case; empty for any other.
    pub base_name: String,
}

/// One kind of document a case may have, and the one issued if any.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentSlot {
    /// The kind.
    pub kind: DocumentKind,
    /// The document of that kind issued on the case.
    pub issued: Option<IssuedDocument>,
}

impl Guohe {
    /// The case `case` (`notice/…`, `base/…`); `None` when there is no such case.
    pub async fn document_case(&self, case: &str) -> Option<DocumentCase> {
        self.read(|w, _, _| {
            let policy = w.policy_of_stream(case)?.to_string();
            let base_name = case
                .strip_prefix("base/")
                .and_then(|id| w.base(id))
                .map(|b| b.official_name.clone())
                .unwrap_or_default();
            Some(DocumentCase { policy, base_name })
        })
        .await
    }

    /// The kinds of document `case` may have issued now, by its state, each with the one issued.
    pub async fn document_slots(&self, case: &str) -> Vec<DocumentSlot> {
        self.read(|w, _, _| {
            w.document_kinds_for(case)
                .into_iter()
                .map(|kind| DocumentSlot {
                    kind,
                    issued: w.document_of(case, kind).cloned(),
                })
                .collect()
        })
        .await
    }

    /// Whether a document of `kind` was issued on `case`.
    pub async fn document_issued(&self, case: &str, kind: DocumentKind) -> bool {
        self.read(|w, _, _| w.document_of(case, kind).is_some()).await
    }
}

#[cfg(test)]
mod tests {
    use guohe_domain::DocumentKind;

    use crate::unit_desk::fixture;

    #[tokio::test(flavor = "multi_thread")]
    async fn a_case_its_kinds_and_what_was_issued() {
        let (g, _dir) = fixture::generated().await;
        let (base, name, policy, notice) = g
            .read(|w, _, _| {
                let b = w.bases().next().expect("a base");
                let n = w.notices().next().expect("a notice");
                (b.id.clone(), b.official_name.clone(), b.policy.clone(), n.id.clone())
            })
            .await;
        let case = g.document_case(&format!("base/{base}")).await.expect("the base");
        assert_eq!(
            (case.policy.as_str(), case.base_name.as_str()),
            (policy.as_str(), name.as_str())
        );
        let notice_case = format!("notice/{notice}");
        assert_eq!(g.document_case(&notice_case).await.expect("the notice").base_name, "");
        assert!(g.document_case("base/no-such-base").await.is_none());
        let slots = g.document_slots(&notice_case).await;
        assert_eq!(slots.first().map(|s| s.kind), Some(DocumentKind::PublicNotice));
        for s in &slots {
            assert_eq!(s.issued.is_some(), g.document_issued(&notice_case, s.kind).await);
        }
        assert!(g.document_slots("nothing").await.is_empty());
    }
}
