//! Who acts: the role decides which commands they may give.

use std::fmt;

use serde::{Deserialize, Serialize};

/// 角色 — the role an actor acts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 省科技厅 — department staff (`dept:…`).
    Department,
    /// 推荐单位 — a recommender (`recommender:…`).
    Recommender,
    /// 依托单位 — a support unit (`unit:…`).
    SupportUnit,
    /// 评审专家 — an expert (`expert:…`).
    Expert,
    /// 公众 — anyone (`public:…`).
    Public,
    /// The system clock (`system:…`): only rules that fire on their own.
    System,
}

impl Role {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Role::Department => "省科技厅",
            Role::Recommender => "推荐单位",
            Role::SupportUnit => "依托单位",
            Role::Expert => "评审专家",
            Role::Public => "公众",
            Role::System => "系统",
        }
    }
}

/// An actor: a role and an id written `role:name`, e.g. `dept:zhang`, `expert:E001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Actor {
    /// The role.
    pub role: Role,
    /// The full id, `role:name`, as recorded on events.
    pub id: String,
}

impl Actor {
    /// Parses `dept:zhang`, `recommender:wuhan`, `unit:9142…`, `expert:E001`, `public:li`,
    /// `system:clock`.
    pub fn parse(text: &str) -> Result<Actor, String> {
        let (prefix, name) = text
            .split_once(':')
            .ok_or_else(|| format!("`{text}` is not an actor like `dept:zhang` (role:name)"))?;
        let role = match prefix {
            "dept" | "department" => Role::Department,
            "recommender" | "rec" => Role::Recommender,
            "unit" => Role::SupportUnit,
            "expert" => Role::Expert,
            "public" => Role::Public,
            "system" => Role::System,
            other => {
                return Err(format!(
                    "`{other}` is not a role; one of dept, recommender, unit, expert, public, system"
                ));
            }
        };
        if name.trim().is_empty() {
            return Err(format!("`{text}`: the name after `:` is empty"));
        }
        Ok(Actor {
            role,
            id: text.to_string(),
        })
    }

    /// The name after `role:`.
    pub fn name(&self) -> &str {
        self.id.split_once(':').map(|(_, n)| n).unwrap_or(&self.id)
    }

    /// The department, for tests and tools.
    pub fn department(name: &str) -> Actor {
        Actor {
            role: Role::Department,
            id: format!("dept:{name}"),
        }
    }

    /// The system clock.
    pub fn system() -> Actor {
        Actor {
            role: Role::System,
            id: "system:clock".into(),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}
