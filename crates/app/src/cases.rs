//! One case by its id, as the world holds it now: what a page about one application or one base
//! starts from, before the web's authorization decides whether the caller may see it.

use std::collections::HashMap;

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

    /// The policy the case `stream` (`application/…`, `base/…`, `notice/…`, `round/…`) is
    /// under; `None` when there is no such case.
    pub async fn case_policy(&self, stream: &str) -> Option<String> {
        self.read(|w, _, _| w.policy_of_stream(stream).map(str::to_string))
            .await
    }

    /// The policies of those of `streams` that are cases, by stream.
    pub async fn case_policies<'s>(&self, streams: impl IntoIterator<Item = &'s str>) -> HashMap<String, String> {
        self.read(|w, _, _| {
            streams
                .into_iter()
                .filter_map(|s| w.policy_of_stream(s).map(|p| (s.to_string(), p.to_string())))
                .collect()
        })
        .await
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
