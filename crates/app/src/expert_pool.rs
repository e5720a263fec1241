//! 专家库 — the pool a random draw chooses from, taken from the province's expert accounts, and
//! the check of a pool given by hand against those accounts.
//!
//! A draw is only as fair as its pool: an expert who cannot sign in, belongs to another
//! province or is given with a unit other than the one on their account would let a draw keep
//! someone on, or off, a case without the avoidance rules noticing. So a pool given on the
//! command line or through the API must name active expert accounts of the province, each with
//! the unit on the account; anything else is refused naming the experts at fault.

use guohe_domain::{PanelExpert, PoolExpert};
use guohe_store::{Account, AccountRole};

/// An expert account that can sit in a draw of the province: active, an expert, of it.
fn in_pool(a: &Account, province: &str) -> bool {
    a.role == AccountRole::Expert && a.active && !a.pending_approval && a.province == province
}

/// The inspection pool (双随机): every active expert account of the province with its unit.
pub fn inspection_pool(accounts: &[Account], province: &str) -> Vec<PoolExpert> {
    accounts
        .iter()
        .filter(|a| in_pool(a, province))
        .map(|a| PoolExpert {
            id: a.login.clone(),
            unit_uscc: a.org_id.clone().unwrap_or_default(),
        })
        .collect()
}

/// The panel pool (评审专家随机抽取): every active expert account of the province with its unit
/// and the domains on its profile.
pub fn panel_pool(accounts: &[Account], province: &str) -> Vec<PanelExpert> {
    accounts
        .iter()
        .filter(|a| in_pool(a, province))
        .map(|a| PanelExpert {
            id: a.login.clone(),
            unit_uscc: a.org_id.clone().unwrap_or_default(),
            domains: a.profile.domains.clone(),
        })
        .collect()
}

/// An expert of a given pool who may not be in it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolProblem {
    /// Position in the pool as given.
    pub index: usize,
    /// The expert id as given.
    pub expert: String,
    /// Why, in Chinese.
    pub zh: String,
    /// Why, in English.
    pub en: String,
}

/// Checks a pool given by hand — `(id, unit)` pairs — against the accounts: each must be an
/// active expert account of the province, given with the unit on the account. Returns every
/// problem, in the order given.
pub fn check_pool<'a>(
    accounts: &[Account],
    province: &str,
    given: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<PoolProblem> {
    let mut out = Vec::new();
    for (index, (id, unit)) in given.into_iter().enumerate() {
        let id_t = id.trim();
        let problem = match accounts.iter().find(|a| a.login == id_t) {
            None => Some(("没有该账号".to_string(), "no such account".to_string())),
            Some(a) if a.role != AccountRole::Expert => {
                Some(("不是评审专家账号".to_string(), "not an expert account".to_string()))
            }
            Some(a) if !a.active || a.pending_approval => {
                Some(("账号已停用".to_string(), "the account is disabled".to_string()))
            }
            Some(a) if a.province != province => Some((
                "不属于本省专家库".to_string(),
                "an expert of another province".to_string(),
            )),
            Some(a) => {
                let on_account = a.org_id.clone().unwrap_or_default();
                (!unit.trim().eq_ignore_ascii_case(on_account.trim())).then(|| {
                    (
                        format!("所在单位与账号登记的“{on_account}”不符"),
                        format!("the unit differs from the account's `{on_account}`"),
                    )
                })
            }
        };
        if let Some((zh, en)) = problem {
            out.push(PoolProblem {
                index,
                expert: id.to_string(),
                zh,
                en,
            });
        }
    }
    out
}

/// The problems as one message naming every expert, Chinese then English.
pub fn describe(problems: &[PoolProblem]) -> (String, String) {
    let zh = problems
        .iter()
        .map(|p| format!("“{}”{}", p.expert, p.zh))
        .collect::<Vec<_>>()
        .join("；");
    let en = problems
        .iter()
        .map(|p| format!("`{}`: {}", p.expert, p.en))
        .collect::<Vec<_>>()
        .join("; ");
    (
        format!("专家库中的专家须为本省在用的评审专家账号：{zh}"),
        format!("the pool must list active expert accounts of the province: {en}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use guohe_store::AccountProfile;

    fn account(login: &str, role: AccountRole, province: &str, active: bool, unit: &str) -> Account {
        Account {
            login: login.into(),
            display_name: login.into(),
            role,
            org_id: Some(unit.into()),
            password_hash: String::new(),
            failed_logins: 0,
            locked_until: None,
            active,
            created_at: Utc::now(),
            password_changed_at: Utc::now(),
            province: province.into(),
            must_change_password: false,
            profile: AccountProfile {
                domains: vec!["激光".into()],
                ..Default::default()
            },
            pending_approval: false,
        }
    }

    #[test]
    fn a_given_pool_names_every_expert_who_may_not_be_in_it() {
        let accounts = [
            account("ok", AccountRole::Expert, "42", true, "U1"),
            account("off", AccountRole::Expert, "42", false, "U2"),
            account("hn", AccountRole::Expert, "43", true, "U3"),
            account("unit", AccountRole::SupportUnit, "42", true, "U4"),
        ];
        let given = [
            ("ok", "u1"),
            ("off", "U2"),
            ("hn", "U3"),
            ("unit", "U4"),
            ("ghost", "U5"),
            ("ok", "U9"),
        ];
        let p = check_pool(&accounts, "42", given.iter().map(|(a, b)| (*a, *b)));
        let named: Vec<(usize, &str)> = p.iter().map(|x| (x.index, x.expert.as_str())).collect();
        assert_eq!(named, [(1, "off"), (2, "hn"), (3, "unit"), (4, "ghost"), (5, "ok")]);
        let (zh, en) = describe(&p);
        assert!(zh.contains("“ghost”没有该账号") && en.contains("`off`: the account is disabled"));
        assert_eq!(panel_pool(&accounts, "42").len(), 1);
        assert_eq!(panel_pool(&accounts, "42")[0].domains, ["激光"]);
        assert_eq!(inspection_pool(&accounts, "43")[0].id, "hn");
    }
}
