//! 命名 — the official name of a base, by the policy's template (Hunan 第九条第4项:
//! "湖南省科学技术厅＋领域＋国际科技合作基地（联合研究／技术转移／特色）").

use crate::model::{Policy, term};

/// Why a name cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamingError {
    /// The domain is empty or too long.
    #[error("domain: {0}")]
    Domain(&'static str),
    /// The category is not one of the policy's.
    #[error("category: `{given}` is not a category of {policy}; one of {allowed}")]
    UnknownCategory {
        /// Given code.
        given: String,
        /// Policy id.
        policy: String,
        /// Allowed codes.
        allowed: String,
    },
    /// The policy has categories and none was given.
    #[error("category: {policy} names bases by category; give one of {allowed}")]
    MissingCategory {
        /// Policy id.
        policy: String,
        /// Allowed codes.
        allowed: String,
    },
}

impl NamingError {
    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            NamingError::Domain(why) => format!("技术领域{why}"),
            NamingError::UnknownCategory { given, allowed, .. } => format!("基地类型“{given}”无效；可选：{allowed}"),
            NamingError::MissingCategory { allowed, .. } => format!("该办法按类型命名基地，请指定基地类型：{allowed}"),
        }
    }
}

/// The official name of a base.
pub fn official_name(policy: &Policy, domain: &str, category: Option<&str>, unit: &str) -> Result<String, NamingError> {
    let domain = domain.trim();
    if domain.is_empty() {
        return Err(NamingError::Domain("不能为空"));
    }
    if domain.chars().count() > 30 {
        return Err(NamingError::Domain("过长（最多30字）"));
    }
    let cats = &policy.vocabularies.categories;
    let allowed = || {
        cats.iter()
            .map(|c| format!("{}（{}）", c.code, c.zh))
            .collect::<Vec<_>>()
            .join("、")
    };
    let suffix = match (category, cats.is_empty()) {
        (_, true) => "",
        (None, false) => {
            return Err(NamingError::MissingCategory {
                policy: policy.id.clone(),
                allowed: allowed(),
            });
        }
        (Some(c), false) => {
            match term(cats, c).or_else(|| cats.iter().find(|t| t.zh == c || t.name_suffix.as_deref() == Some(c))) {
                Some(t) => t.name_suffix.as_deref().unwrap_or(&t.zh),
                None => {
                    return Err(NamingError::UnknownCategory {
                        given: c.into(),
                        policy: policy.id.clone(),
                        allowed: allowed(),
                    });
                }
            }
        }
    };
    Ok(policy
        .procedure
        .naming
        .template
        .replace("{domain}", domain)
        .replace("{category_suffix}", suffix)
        .replace("{unit}", unit.trim()))
}
