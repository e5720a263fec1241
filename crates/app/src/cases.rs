//! One case by its id, as the world holds it now: what a page about one application or one base
//! starts from, before the web's authorization decides whether the caller may see it.

use guohe_domain::{ApplicationCase, Base};

use crate::Guohe;

impl Guohe {
    /// The application `id`, if there is one.
    pub async fn application(&self, id: &str) -> Option<ApplicationCase> {
        self.read(|w, _, _| w.application(id).cloned()).await
    }

    /// The base `id`, if there is one.
    pub async fn base(&self, id: &str) -> Option<Base> {
        self.read(|w, _, _| w.base(id).cloned()).await
    }

    /// The official names of the bases `ids`, in their order; empty for an unknown id.
    pub async fn base_names(&self, ids: &[String]) -> Vec<String> {
        self.read(|w, _, _| {
            ids.iter()
                .map(|b| w.base(b).map(|x| x.official_name.clone()).unwrap_or_default())
                .collect()
        })
        .await
    }
}
