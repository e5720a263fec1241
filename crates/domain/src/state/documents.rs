//! 公文 as the world keeps them: by the SM3 hash of the PDF, with two look-ups beside it — by
//! case and by 文号 — so that a case's documents cost what the case has, not every document
//! issued. Only the documents are stored (in a snapshot too, in the same form as before the
//! look-ups existed); the look-ups are rebuilt when a snapshot is read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::document::IssuedDocument;

/// The documents issued, and where to find them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Documents {
    by_sm3: BTreeMap<String, IssuedDocument>,
    /// SM3 hashes by case, in hash order (the order of `by_sm3`).
    by_case: HashMap<String, BTreeSet<String>>,
    /// SM3 hashes by 文号, in hash order.
    by_number: HashMap<String, BTreeSet<String>>,
}

impl Documents {
    /// Keeps `doc`, issued as the PDF whose hash is `sm3` (replacing what had that hash).
    pub(crate) fn insert(&mut self, sm3: String, doc: IssuedDocument) {
        if let Some(old) = self.by_sm3.get(&sm3) {
            let (case, number) = (old.event.case.clone(), old.event.number.clone());
            unlist(&mut self.by_case, &case, &sm3);
            unlist(&mut self.by_number, &number, &sm3);
        }
        list(&mut self.by_case, &doc.event.case, &sm3);
        list(&mut self.by_number, &doc.event.number, &sm3);
        self.by_sm3.insert(sm3, doc);
    }

    /// The document whose PDF has this hash.
    pub(crate) fn get(&self, sm3: &str) -> Option<&IssuedDocument> {
        self.by_sm3.get(sm3)
    }

    /// The documents of a case, in hash order.
    pub(crate) fn of_case<'a>(&'a self, case: &str) -> impl Iterator<Item = &'a IssuedDocument> + 'a {
        self.listed(&self.by_case, case)
    }

    /// The documents that carry a 文号, in hash order.
    pub(crate) fn numbered<'a>(&'a self, number: &str) -> impl Iterator<Item = &'a IssuedDocument> + 'a {
        self.listed(&self.by_number, number)
    }

    fn listed<'a>(
        &'a self,
        index: &'a HashMap<String, BTreeSet<String>>,
        key: &str,
    ) -> impl Iterator<Item = &'a IssuedDocument> + 'a {
        index
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|sm3| self.by_sm3.get(sm3))
    }

    fn from_map(by_sm3: BTreeMap<String, IssuedDocument>) -> Documents {
        let mut docs = Documents::default();
        for (sm3, doc) in by_sm3 {
            docs.insert(sm3, doc);
        }
        docs
    }
}

fn list(index: &mut HashMap<String, BTreeSet<String>>, key: &str, sm3: &str) {
    index.entry(key.to_string()).or_default().insert(sm3.to_string());
}

fn unlist(index: &mut HashMap<String, BTreeSet<String>>, key: &str, sm3: &str) {
    if let Some(set) = index.get_mut(key) {
        set.remove(sm3);
        if set.is_empty() {
            index.remove(key);
        }
    }
}

/// Two worlds hold the same documents when they hold the same documents by hash: the look-ups
/// follow from them.
impl PartialEq for Documents {
    fn eq(&self, other: &Documents) -> bool {
        self.by_sm3 == other.by_sm3
    }
}

impl Serialize for Documents {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.by_sm3.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Documents {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Documents, D::Error> {
        BTreeMap::deserialize(d).map(Documents::from_map)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::document::{DocumentIssued, DocumentKind, DocumentText};

    fn doc(case: &str, number: &str, kind: DocumentKind) -> IssuedDocument {
        let on = NaiveDate::from_ymd_opt(2026, 5, 6).expect("date");
        IssuedDocument {
            event: DocumentIssued {
                kind,
                case: case.into(),
                number: number.into(),
                issued_on: on,
                text: DocumentText {
                    issuer: "湖南省科学技术厅".into(),
                    title: "公示".into(),
                    addressee: None,
                    paragraphs: Vec::new(),
                    list: Vec::new(),
                    closing: None,
                },
                sm3: String::new(),
            },
            recorded_on: on,
            articles: Vec::new(),
        }
    }

    fn numbers<'a>(docs: impl Iterator<Item = &'a IssuedDocument>) -> Vec<&'a str> {
        docs.map(|d| d.event.number.as_str()).collect()
    }

    #[test]
    fn a_case_and_a_number_find_their_documents_and_a_snapshot_keeps_them() {
        let mut docs = Documents::default();
        docs.insert(
            "c3".into(),
            doc("notice/N1", "湘科函〔2026〕3号", DocumentKind::PublicNotice),
        );
        docs.insert(
            "a1".into(),
            doc("notice/N1", "湘科函〔2026〕1号", DocumentKind::PublicNotice),
        );
        docs.insert(
            "b2".into(),
            doc("application/A1", "湘科函〔2026〕2号", DocumentKind::PublicNotice),
        );
        assert_eq!(
            numbers(docs.of_case("notice/N1")),
            ["湘科函〔2026〕1号", "湘科函〔2026〕3号"]
        );
        assert_eq!(numbers(docs.numbered("湘科函〔2026〕2号")), ["湘科函〔2026〕2号"]);
        assert_eq!(docs.of_case("notice/N9").count(), 0);
        // The same hash again replaces the document, and its look-ups with it.
        docs.insert(
            "a1".into(),
            doc("application/A1", "湘科函〔2026〕9号", DocumentKind::PublicNotice),
        );
        assert_eq!(numbers(docs.of_case("notice/N1")), ["湘科函〔2026〕3号"]);
        assert_eq!(docs.numbered("湘科函〔2026〕1号").count(), 0);
        assert_eq!(
            numbers(docs.of_case("application/A1")),
            ["湘科函〔2026〕9号", "湘科函〔2026〕2号"]
        );

        let json = serde_json::to_value(&docs).expect("serialise");
        assert!(
            json.as_object().is_some_and(|m| m.len() == 3),
            "stored as the map by hash: {json}"
        );
        let back: Documents = serde_json::from_value(json).expect("read back");
        assert_eq!(back, docs);
        assert_eq!(
            numbers(back.of_case("application/A1")),
            ["湘科函〔2026〕9号", "湘科函〔2026〕2号"]
        );
        assert_eq!(numbers(back.numbered("湘科函〔2026〕3号")), ["湘科函〔2026〕3号"]);
    }
}
