//! One case by its id, as the world holds it now — an application, a base, a round, a notice, or
//! only the policy a case is under: what a page about one case starts from, before the web's
//! authorization decides whether the caller may see it.

use std::collections::HashMap;

use chrono::NaiveDate;
use guohe_domain::{ApplicationCase, Base, Notice, Round};

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

    /// The round `id`, if there is one.
    pub async fn round(&self, id: &str) -> Option<Round> {
        self.read(|w, _, _| w.round(id).cloned()).await
    }

    /// The notice `id`, if there is one (objectors' names and contacts sealed, as stored).
    pub async fn notice(&self, id: &str) -> Option<Notice> {
        self.read(|w, _, _| w.notice(id).cloned()).await
    }

    /// The last day the world's clock was advanced to, if it ever was.
    pub async fn clock(&self) -> Option<NaiveDate> {
        self.read(|w, _, _| w.clock()).await
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
