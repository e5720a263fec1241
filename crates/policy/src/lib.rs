//! Policy as code for Guohe (国合).
//!
//! Each regulation is a YAML file under `policies/` at the root of the repository — metadata,
//! the text of every article, vocabularies, interpretations, eligibility rules, procedure,
//! lifecycle and consequence parameters — compiled into the binary and also loadable from a
//! path. Every rule cites its article (`hubei-2022:10.4`); [`evaluate`] checks an application
//! and returns a verdict with one finding per rule. The file format is documented in
//! `docs/policy-format.md`, the facts in `docs/application-facts.md`.

pub mod citation;
pub mod coverage;
pub mod diff;
pub mod draws;
pub mod eval;
pub mod expr;
pub mod facts;
pub mod guide;
pub mod load;
pub mod model;
pub mod naming;
pub mod national;
pub mod sample;
pub mod schedule;
pub mod subsidy;

use std::sync::LazyLock;

pub use citation::{ArticleRef, Citation, ItemStyle};
pub use eval::{
    CheckError, Evaluation, Finding, Prepared, Report, Status, Verdict, check_in_force, evaluate, valid_until,
};
pub use facts::{Application, FactError, RegistryFacts};
pub use load::PolicyError;
pub use model::{Policy, PriorityArticle};

/// The policies compiled into the binary: (file name, YAML text).
pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
    (
        "policies/hunan-2026.yaml",
        include_str!("../../../policies/hunan-2026.yaml"),
    ),
    (
        "policies/hubei-2022.yaml",
        include_str!("../../../policies/hubei-2022.yaml"),
    ),
];

static BUILTIN: LazyLock<Vec<Policy>> = LazyLock::new(|| {
    BUILTIN_SOURCES
        .iter()
        .map(|(name, text)| match load::from_yaml(text, name) {
            Ok(p) => p,
            // The embedded files are checked by the test suite; a broken one is a build defect.
            Err(e) => panic!("embedded policy is invalid: {e}"),
        })
        .collect()
});

/// The built-in policies.
pub fn builtin() -> &'static [Policy] {
    &BUILTIN
}

/// A built-in policy by id.
pub fn builtin_policy(id: &str) -> Option<&'static Policy> {
    BUILTIN.iter().find(|p| p.id == id)
}

/// Where a policy in a [`PolicySet`] comes from (来源).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PolicySource {
    /// Compiled into the binary.
    Builtin,
    /// Loaded into the database (`guohe policy load`), audited on the chain.
    Stored {
        /// SM3 digest (hex) of the stored YAML text.
        sm3: String,
        /// The business date it was loaded on.
        loaded_on: chrono::NaiveDate,
        /// Who loaded it.
        loaded_by: String,
    },
    /// Given for one run only (`--policy-file`, or added by a program).
    CommandLine {
        /// The file, as given.
        file: String,
    },
}

/// A set of policies: the built-in ones plus any stored in the database or loaded from files.
#[derive(Debug, Clone)]
pub struct PolicySet {
    policies: Vec<Policy>,
    sources: Vec<PolicySource>,
}

impl Default for PolicySet {
    fn default() -> Self {
        let policies = builtin().to_vec();
        let sources = vec![PolicySource::Builtin; policies.len()];
        PolicySet { policies, sources }
    }
}

impl PolicySet {
    /// Adds a policy given for this run, replacing any other with the same id.
    pub fn add(&mut self, p: Policy) {
        self.add_from(p, PolicySource::CommandLine { file: String::new() });
    }
    /// Adds a policy with where it comes from, replacing any other with the same id.
    pub fn add_from(&mut self, p: Policy, source: PolicySource) {
        if let Some(i) = self.policies.iter().position(|x| x.id == p.id) {
            self.policies.remove(i);
            self.sources.remove(i);
        }
        self.policies.push(p);
        self.sources.push(source);
    }
    /// Folds a policy stored in the database in: it replaces a built-in or an earlier stored
    /// version of the same id, but not one given on the command line for this run (the more
    /// specific choice wins). Returns whether it was taken.
    pub fn fold_stored(&mut self, p: Policy, source: PolicySource) -> bool {
        let given = self
            .policies
            .iter()
            .zip(&self.sources)
            .any(|(x, s)| x.id == p.id && matches!(s, PolicySource::CommandLine { .. }));
        if !given {
            self.add_from(p, source);
        }
        !given
    }
    /// A policy by id.
    pub fn get(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }
    /// Where the policy with this id comes from.
    pub fn source(&self, id: &str) -> Option<&PolicySource> {
        let i = self.policies.iter().position(|p| p.id == id)?;
        self.sources.get(i)
    }
    /// All policies.
    pub fn all(&self) -> &[Policy] {
        &self.policies
    }
    /// The ids, for messages.
    pub fn ids(&self) -> Vec<&str> {
        self.policies.iter().map(|p| p.id.as_str()).collect()
    }
}

impl Policy {
    /// The text of an article, paragraph (款) or item.
    pub fn text(&self, at: ArticleRef) -> Option<&str> {
        let a = self.articles.get((at.article as usize).checked_sub(1)?)?;
        match (at.item, at.paragraph) {
            (Some(i), _) => a.items.get((i as usize).checked_sub(1)?).map(|x| x.text.as_str()),
            (None, Some(1)) if a.paragraphs.is_empty() => Some(&a.text),
            (None, Some(p)) => a.paragraphs.get((p as usize).checked_sub(1)?).map(String::as_str),
            (None, None) => Some(&a.text),
        }
    }
    /// A citation into this policy.
    pub fn cite(&self, at: ArticleRef) -> Citation {
        Citation {
            policy: self.id.clone(),
            at,
        }
    }
    /// The Chinese form of a citation, e.g. `第二十八条第（一）项`.
    pub fn cite_zh(&self, at: ArticleRef) -> String {
        citation::chinese_article(at, self.item_style)
    }
}
