//! 权限 — who may see and do what. Every route asks here, on the server, before it reads or
//! writes anything; role pages and the JSON API reuse the same functions.
//!
//! The rules (PRODUCT.md): a support unit sees only its own applications and bases; a
//! recommender only its jurisdiction (region code prefixes and/or listed units); an expert only
//! the applications assigned to them, and never their own unit's; the department everything
//! of its province. Every account belongs to a province and works under that province's
//! policies only ([`Principal::works_under`]): a case belongs to the province of the policy it
//! was opened under, and no role ever sees or acts on another province's case. The three
//! administrators (三权分立) take no business step at all.

use guohe_app::read_models::ApplicationScope;
use guohe_domain::{Actor, ApplicationCase, Base, Command, Role, World};
use guohe_policy::PolicySet;
use guohe_store::{AccountRole, Organisation};

use crate::error::WebError;

mod commands;

pub use commands::{authorize, may_command};

/// 管辖范围 — what a recommender covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jurisdiction {
    /// GB/T 2260 prefixes, e.g. `4301` (长沙市).
    pub region_prefixes: Vec<String>,
    /// Units covered by name of their USCC (省直部门, 中央驻湘高校 …).
    pub unit_usccs: Vec<String>,
}

impl Jurisdiction {
    /// From a stored organisation.
    pub fn of(org: &Organisation) -> Jurisdiction {
        Jurisdiction {
            region_prefixes: org.region_prefixes.clone(),
            unit_usccs: org.unit_usccs.clone(),
        }
    }

    /// Whether a unit (by region code and USCC) is covered. Listed units are covered wherever
    /// they are registered; otherwise the region code decides.
    pub fn covers(&self, region_code: Option<&str>, uscc: &str) -> bool {
        if self.unit_usccs.iter().any(|u| u.eq_ignore_ascii_case(uscc.trim())) {
            return true;
        }
        match region_code {
            Some(code) => self
                .region_prefixes
                .iter()
                .any(|p| !p.is_empty() && code.starts_with(p.as_str())),
            None => false,
        }
    }
}

/// 当前用户 — a signed-in account as the authorization rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Login.
    pub account: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: AccountRole,
    /// Organisation: unit USCC, recommender id, or an expert's unit USCC.
    pub org: Option<String>,
    /// A recommender's jurisdiction (empty for other roles).
    pub jurisdiction: Jurisdiction,
    /// 所属省份 — GB/T 2260 two-digit code (`43`, `42`); empty for an account with none.
    pub province: String,
    /// The policies of that province: the only ones this principal works under.
    pub policies: Vec<String>,
    /// The password was set by an administrator or has expired: it must be changed first.
    pub must_change_password: bool,
}

/// A refusal of permission, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl From<Denied> for WebError {
    fn from(d: Denied) -> Self {
        WebError::Forbidden { zh: d.zh, en: d.en }
    }
}

fn denied(zh: impl Into<String>, en: impl Into<String>) -> Denied {
    Denied {
        zh: zh.into(),
        en: en.into(),
    }
}

/// The role's labels.
pub fn role_label(role: AccountRole) -> (&'static str, &'static str) {
    match role {
        AccountRole::Department => ("省科技厅", "Department"),
        AccountRole::Recommender => ("推荐单位", "Recommender"),
        AccountRole::SupportUnit => ("依托单位", "Support unit"),
        AccountRole::Expert => ("评审专家", "Expert"),
        AccountRole::SystemAdmin => ("系统管理员", "System administrator"),
        AccountRole::SecurityAdmin => ("安全管理员", "Security administrator"),
        AccountRole::AuditAdmin => ("审计管理员", "Audit administrator"),
    }
}

/// The policies a province works under: every loaded policy whose province code is `province`.
pub fn province_policies(policies: &PolicySet, province: &str) -> Vec<String> {
    if province.is_empty() {
        return Vec::new();
    }
    policies
        .all()
        .iter()
        .filter(|p| p.province.code == province)
        .map(|p| p.id.clone())
        .collect()
}

/// A refusal for a record of another province. Says which province the record belongs to only
/// as "another", so nothing about the record leaks.
fn other_province() -> Denied {
    denied(
        "该记录属于其他省份，不在您的办理范围内。",
        "This record belongs to another province; it is not yours to see or act on.",
    )
}

impl Principal {
    /// The actor recorded on domain events: `<role>:<login>` (an expert's login is their
    /// expert id, as the assignments name them).
    pub fn actor(&self) -> Actor {
        let role = match self.role {
            AccountRole::Department => Role::Department,
            AccountRole::Recommender => Role::Recommender,
            AccountRole::SupportUnit => Role::SupportUnit,
            AccountRole::Expert => Role::Expert,
            // Administrators never give a domain command (`may_command` refuses them first);
            // were one recorded, it would carry no business role's authority.
            AccountRole::SystemAdmin | AccountRole::SecurityAdmin | AccountRole::AuditAdmin => Role::Public,
        };
        let prefix = match self.role {
            AccountRole::Department => "dept",
            AccountRole::Recommender => "recommender",
            AccountRole::SupportUnit => "unit",
            AccountRole::Expert => "expert",
            AccountRole::SystemAdmin => "sysadmin",
            AccountRole::SecurityAdmin => "secadmin",
            AccountRole::AuditAdmin => "auditadmin",
        };
        Actor {
            role,
            id: format!("{prefix}:{}", self.account),
        }
    }

    /// Who, on audit records.
    pub fn audit_id(&self) -> String {
        format!("user:{}", self.account)
    }

    /// The role's work area.
    pub fn home(&self) -> &'static str {
        area_path(area_of(self.role))
    }

    /// Whether the principal works under a policy, i.e. the policy is of its province.
    pub fn works_under(&self, policy: &str) -> bool {
        self.policies.iter().any(|p| p == policy)
    }

    /// Province check of a record opened under `policy`.
    pub fn in_province(&self, policy: &str) -> Result<(), Denied> {
        if self.works_under(policy) {
            Ok(())
        } else {
            Err(other_province())
        }
    }
}

/// 工作区 — the role areas of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// `/dept`.
    Department,
    /// `/recommender`.
    Recommender,
    /// `/unit`.
    SupportUnit,
    /// `/expert`.
    Expert,
    /// `/admin/system` — 系统管理员.
    SystemAdmin,
    /// `/admin/security` — 安全管理员.
    SecurityAdmin,
    /// `/admin/audit` — 审计管理员.
    AuditAdmin,
}

/// The work area of a role.
pub fn area_of(role: AccountRole) -> Area {
    match role {
        AccountRole::Department => Area::Department,
        AccountRole::Recommender => Area::Recommender,
        AccountRole::SupportUnit => Area::SupportUnit,
        AccountRole::Expert => Area::Expert,
        AccountRole::SystemAdmin => Area::SystemAdmin,
        AccountRole::SecurityAdmin => Area::SecurityAdmin,
        AccountRole::AuditAdmin => Area::AuditAdmin,
    }
}

/// The path of an area.
pub fn area_path(area: Area) -> &'static str {
    match area {
        Area::Department => "/dept",
        Area::Recommender => "/recommender",
        Area::SupportUnit => "/unit",
        Area::Expert => "/expert",
        Area::SystemAdmin => "/admin/system",
        Area::SecurityAdmin => "/admin/security",
        Area::AuditAdmin => "/admin/audit",
    }
}

/// Entering a role area: only that role.
pub fn may_enter(p: &Principal, area: Area) -> Result<(), Denied> {
    if area_of(p.role) == area {
        return Ok(());
    }
    let (zh, en) = role_label(p.role);
    Err(denied(
        format!("您的账号角色为“{zh}”，无权访问该工作区。"),
        format!("Your account's role is {en}; this work area is not yours."),
    ))
}

/// 操作 — things a principal may be allowed to do. New actions are added here as the role
/// pages and the API grow, so the role matrix stays in one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Open or close rounds, accept/return, assign experts, decide, publish notices and names.
    RunProcedure,
    /// Record assessments, evaluations, findings.
    RecordOutcomes,
    /// Organisations and accounts: create, change, deactivate (系统管理员 only).
    ManageAccounts,
    /// Password policy, lock-out settings, unlocking accounts, ending sessions (安全管理员 only).
    ManageSecurity,
    /// Read, export and verify the audit log (审计管理员 only).
    ReadAudit,
    /// Approve a support unit's self-registration (the department of its province).
    ApproveRegistration,
    /// Statistics and the full audit trail.
    ViewStatistics,
    /// Submit applications, annual reports and major changes (own unit only).
    SubmitAsUnit,
    /// Formal review and recommendation (own jurisdiction only).
    Recommend,
    /// Score assigned applications.
    Review,
    /// Change one's own password.
    ChangeOwnPassword,
}

/// Whether the principal's role may take the action at all (the object-level checks below
/// decide which records).
pub fn may(p: &Principal, action: Action) -> Result<(), Denied> {
    use AccountRole::*;
    let ok = match action {
        Action::RunProcedure | Action::RecordOutcomes | Action::ViewStatistics | Action::ApproveRegistration => {
            p.role == Department
        }
        Action::ManageAccounts => p.role == SystemAdmin,
        Action::ManageSecurity => p.role == SecurityAdmin,
        Action::ReadAudit => p.role == AuditAdmin,
        Action::SubmitAsUnit => matches!(p.role, SupportUnit | Department),
        Action::Recommend => p.role == Recommender,
        Action::Review => p.role == Expert,
        Action::ChangeOwnPassword => true,
    };
    if ok {
        Ok(())
    } else {
        let (zh, en) = role_label(p.role);
        Err(denied(
            format!("“{zh}”角色无权执行此操作。"),
            format!("The {en} role may not do this."),
        ))
    }
}

/// The region code of an application's unit.
pub fn application_region(a: &ApplicationCase) -> Option<String> {
    let code = a.facts.unit.region_code.trim();
    (!code.is_empty()).then(|| code.to_string())
}

/// The region of a base's unit: from its application when named, else the registration
/// division embedded in the USCC (positions 3–8). The register view indexes bases by the same
/// code ([`guohe_app::stats::base_division`]), so a jurisdiction's candidates and this rule agree.
pub fn base_region(world: &World, b: &Base) -> Option<String> {
    guohe_app::stats::base_division(world, b)
}

/// Whether the principal may see an application.
pub fn can_view_application(p: &Principal, a: &ApplicationCase) -> Result<(), Denied> {
    p.in_province(&a.policy)?;
    let uscc = a.facts.unit.uscc.trim();
    let ok = match p.role {
        AccountRole::Department => true,
        AccountRole::SupportUnit => p.org.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(uscc)),
        AccountRole::Recommender => p.jurisdiction.covers(application_region(a).as_deref(), uscc),
        AccountRole::Expert => {
            let own_unit = p.org.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(uscc));
            if own_unit {
                return Err(denied(
                    "评审专家不得查看本单位的申报（回避）。",
                    "Experts may not see their own unit's applications (conflict of interest).",
                ));
            }
            a.experts.contains_key(&p.account)
        }
        AccountRole::SystemAdmin | AccountRole::SecurityAdmin | AccountRole::AuditAdmin => false,
    };
    if ok {
        Ok(())
    } else {
        Err(denied("您无权查看该申报。", "You may not see this application."))
    }
}

/// Where a principal's lists of applications are drawn from, `each` ([`can_view_application`]
/// for the principal) deciding case by case what the scope does not settle:
/// - the department sees every application of the policies it works under, and nothing else
///   ([`can_view_application`]: province, then `Department => true`): its lists are asked by
///   policy and counted rather than checked case by case;
/// - a support unit sees only its own applications, an expert only those on which they hold a
///   seat, and a recommender only those its jurisdiction covers ([`Jurisdiction::covers`]: a
///   region prefix or a unit listed by name): their lists look at those alone (the views' unit,
///   seat and region indexes), and `each` decides among them;
/// - anyone else's are checked case by case.
///
/// The test `each_role_lists_what_it_may_see` holds each scope to `each` over every application.
pub fn application_scope<'a>(
    p: &'a Principal,
    each: &'a (dyn Fn(&ApplicationCase) -> bool + Sync),
) -> ApplicationScope<'a> {
    match (p.role, p.org.as_deref()) {
        (AccountRole::Department, _) => ApplicationScope::Policies(&p.policies),
        (AccountRole::SupportUnit, Some(uscc)) => ApplicationScope::Unit(uscc, each),
        (AccountRole::Expert, _) => ApplicationScope::Seated(&p.account, each),
        (AccountRole::Recommender, _) => ApplicationScope::Covered {
            region_prefixes: &p.jurisdiction.region_prefixes,
            units: &p.jurisdiction.unit_usccs,
            rule: each,
        },
        _ => ApplicationScope::Each(each),
    }
}

/// Whether the principal may see a base's non-public records.
pub fn can_view_base(p: &Principal, world: &World, b: &Base) -> Result<(), Denied> {
    can_view_base_in(p, b, || base_region(world, b))
}

/// [`can_view_base`] with the base's region ([`base_region`]) given by `region`, asked only when
/// the rule needs it: a caller holding it already (the register view's division of each row)
/// spares the look-up.
pub fn can_view_base_in(p: &Principal, b: &Base, region: impl FnOnce() -> Option<String>) -> Result<(), Denied> {
    p.in_province(&b.policy)?;
    let ok = match p.role {
        AccountRole::Department => true,
        AccountRole::SupportUnit => p.org.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(b.uscc.trim())),
        AccountRole::Recommender => p.jurisdiction.covers(region().as_deref(), &b.uscc),
        AccountRole::Expert | AccountRole::SystemAdmin | AccountRole::SecurityAdmin | AccountRole::AuditAdmin => false,
    };
    if ok {
        Ok(())
    } else {
        Err(denied(
            "您无权查看该基地的内部记录。",
            "You may not see this base's internal records.",
        ))
    }
}

/// Changing a password: only one's own (administrators reset through account management).
pub fn may_change_password(p: &Principal, login: &str) -> Result<(), Denied> {
    may(p, Action::ChangeOwnPassword)?;
    if p.account == login {
        Ok(())
    } else {
        Err(denied("只能修改本人口令。", "You may only change your own password."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: AccountRole, org: Option<&str>, j: Jurisdiction) -> Principal {
        Principal {
            account: "x".into(),
            display_name: "X".into(),
            role,
            org: org.map(Into::into),
            jurisdiction: j,
            province: "43".into(),
            policies: vec!["hunan-2026".into()],
            must_change_password: false,
        }
    }

    #[test]
    fn jurisdiction_by_prefix_or_unit() {
        let j = Jurisdiction {
            region_prefixes: vec!["4301".into()],
            unit_usccs: vec!["12430000444881590X".into()],
        };
        assert!(j.covers(Some("430104"), "A"));
        assert!(!j.covers(Some("430200"), "A"));
        assert!(j.covers(Some("430200"), "12430000444881590x"));
        assert!(!j.covers(None, "B"));
        assert!(!Jurisdiction::default().covers(Some("430100"), "A"));
    }

    #[test]
    fn role_matrix() {
        let dept = p(AccountRole::Department, None, Jurisdiction::default());
        let unit = p(AccountRole::SupportUnit, Some("U"), Jurisdiction::default());
        assert!(may(&dept, Action::RunProcedure).is_ok());
        assert!(may(&unit, Action::RunProcedure).is_err());
        assert!(may(&unit, Action::SubmitAsUnit).is_ok());
        assert!(may_enter(&unit, Area::Department).is_err());
        assert!(may_enter(&unit, Area::SupportUnit).is_ok());
        assert_eq!(dept.actor().id, "dept:x");
        assert!(may_change_password(&unit, "x").is_ok() && may_change_password(&unit, "y").is_err());
    }

    #[test]
    fn administrators_take_no_business_step_and_do_only_their_own_duty() {
        let none = Jurisdiction::default;
        let sys = p(AccountRole::SystemAdmin, None, none());
        let sec = p(AccountRole::SecurityAdmin, None, none());
        let aud = p(AccountRole::AuditAdmin, None, none());
        let dept = p(AccountRole::Department, None, none());
        for admin in [&sys, &sec, &aud] {
            for business in [
                Action::RunProcedure,
                Action::RecordOutcomes,
                Action::SubmitAsUnit,
                Action::Recommend,
                Action::Review,
                Action::ApproveRegistration,
            ] {
                assert!(may(admin, business).is_err(), "{:?} may not {business:?}", admin.role);
            }
        }
        assert!(may(&sys, Action::ManageAccounts).is_ok());
        assert!(may(&sec, Action::ManageAccounts).is_err() && may(&aud, Action::ManageAccounts).is_err());
        assert!(may(&sec, Action::ManageSecurity).is_ok());
        assert!(may(&sys, Action::ManageSecurity).is_err() && may(&aud, Action::ManageSecurity).is_err());
        assert!(may(&aud, Action::ReadAudit).is_ok());
        assert!(may(&sys, Action::ReadAudit).is_err() && may(&sec, Action::ReadAudit).is_err());
        for admin_duty in [Action::ManageAccounts, Action::ManageSecurity, Action::ReadAudit] {
            assert!(may(&dept, admin_duty).is_err(), "the department may not {admin_duty:?}");
        }
    }

    #[test]
    fn a_principal_works_under_its_own_provinces_policies_only() {
        let set = guohe_policy::PolicySet::default();
        assert_eq!(province_policies(&set, "43"), vec!["hunan-2026".to_string()]);
        assert_eq!(province_policies(&set, "42"), vec!["hubei-2022".to_string()]);
        assert!(province_policies(&set, "").is_empty());
        let dept = p(AccountRole::Department, None, Jurisdiction::default());
        assert!(dept.in_province("hunan-2026").is_ok());
        let refused = dept.in_province("hubei-2022").unwrap_err();
        assert!(refused.zh.contains("其他省份"), "{}", refused.zh);
    }
}
