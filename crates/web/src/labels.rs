//! 可读标签 — what staff read instead of codes: the Chinese label of every recorded event kind
//! (business and security), people by name and unit instead of login and USCC, and one line in
//! words for a record's key fields. The audit log and the department's case history are written
//! with these; the raw record stays available to the audit administrator behind a `<details>`.

use std::collections::{BTreeSet, HashMap};

use guohe_policy::PolicySet;
use guohe_policy::model::Term;
use serde_json::Value;

use crate::AppState;
use crate::error::WebResult;
use crate::i18n::Lang;
use crate::view;

/// The label of a recorded event kind, business or security; an unknown kind (a record written
/// by a later version) is called a record of the system, never shown as its code.
pub fn event_kind_label(kind: &str) -> (&'static str, &'static str) {
    if let Some(l) = view::base_event_label(kind) {
        return l;
    }
    match kind {
        "RoundOpened" => ("开启申报批次", "Round opened"),
        "RoundClosed" => ("关闭申报批次", "Round closed"),
        "ApplicationSubmitted" => ("提交申报", "Application submitted"),
        "ApplicationResubmitted" => ("重新提交申报", "Application resubmitted"),
        "ApplicationReturned" => ("退回申报", "Application returned"),
        "ApplicationWithdrawn" => ("撤回申报", "Application withdrawn"),
        "ApplicationRecommended" => ("推荐申报", "Application recommended"),
        "ExpertAssigned" => ("指派评审专家", "Expert assigned"),
        "ConflictDeclared" => ("专家申明回避", "Conflict declared"),
        "ReviewSubmitted" => ("提交评审意见", "Review submitted"),
        "SiteInspectionRecorded" => ("记录现场勘验", "Site inspection recorded"),
        "ApplicationDecided" => ("作出认定结论", "Decision made"),
        "ApplicationRejected" => ("不予认定", "Application rejected"),
        "PublicNoticeStarted" => ("开始公示", "Public notice started"),
        "ObjectionLodged" => ("提出异议", "Objection lodged"),
        "ObjectionResolved" => ("处理异议", "Objection resolved"),
        "PublicNoticeEnded" => ("公示期满", "Public notice ended"),
        "EvaluationDue" => ("评估到期", "Evaluation due"),
        "RectificationPeriodEnded" => ("整改期满", "Rectification period ended"),
        "UnitBanned" => ("依托单位限制申报", "Unit barred from applying"),
        "MajorChangeFiled" => ("报告重大事项变更", "Major change filed"),
        "MajorChangeEndorsed" => ("推荐单位同意变更", "Major change endorsed"),
        "MajorChangeRejected" => ("不同意重大事项变更", "Major change rejected"),
        "PolicyExpired" => ("管理办法有效期届满", "Regulation expired"),
        "ClockAdvanced" => ("业务日期推进", "Business date advanced"),
        "InspectionsDrawn" => ("随机抽取现场考察", "Inspections drawn"),
        "ExpertPanelDrawn" => ("随机抽取评审专家", "Review panel drawn"),
        "PanelSeatDeclined" => ("专家谢绝评审", "Panel seat declined"),
        // Security and administration (审计记录).
        "LoginSucceeded" => ("登录成功", "Signed in"),
        "LoginFailed" => ("登录失败", "Sign-in failed"),
        "LoginThrottled" => ("登录尝试过于频繁，须等待", "Sign-in throttled"),
        "LoggedOut" => ("退出登录", "Signed out"),
        "PasswordChanged" => ("修改密码", "Password changed"),
        "PasswordChangeRefused" => ("修改密码被拒绝", "Password change refused"),
        "PasswordReset" => ("重置密码", "Password reset"),
        "SecondFactorEnrolled" => ("启用动态口令", "Second factor enrolled"),
        "SecondFactorFailed" => ("动态口令错误", "Second factor failed"),
        "SecondFactorReset" => ("重置动态口令", "Second factor reset"),
        "RecoveryCodeUsed" => ("使用恢复码", "Recovery code used"),
        "PermissionRefused" => ("越权访问被拒绝", "Permission refused"),
        "CsrfRefused" => ("表单校验失败被拒绝", "Form token refused"),
        "AccountCreated" => ("创建账号", "Account created"),
        "AccountChanged" => ("修改账号", "Account changed"),
        "AccountEnabled" => ("启用账号", "Account enabled"),
        "AccountDisabled" => ("停用账号", "Account disabled"),
        "AccountLocked" => ("锁定账号", "Account locked"),
        "AccountUnlocked" => ("解锁账号", "Account unlocked"),
        "SessionsEnded" => ("结束会话", "Sessions ended"),
        "SecuritySettingsChanged" => ("修改安全策略", "Security settings changed"),
        "OrganisationCreated" => ("创建推荐单位", "Organisation created"),
        "RegistrationApproved" => ("通过注册申请", "Registration approved"),
        "RegistrationRefused" => ("不予通过注册申请", "Registration refused"),
        "AccountPersonalDataChanged" => ("修改个人信息", "Personal data changed"),
        "PersonalDataExported" => ("导出个人信息", "Personal data exported"),
        "PersonalDataErased" => ("删除个人信息", "Personal data erased"),
        "MasterKeyRotated" => ("轮换个人信息密钥", "Personal data key rotated"),
        "VerificationAnswered" => ("答复真伪核验", "Verification answered"),
        _ => ("系统记录", "System record"),
    }
}

/// A vocabulary term's label, or `None` when the code is not in it.
fn term(terms: &[Term], code: &str, l: Lang) -> Option<String> {
    terms
        .iter()
        .find(|t| t.code == code)
        .map(|t| l.t(&t.zh, &t.en).to_string())
}

/// The label of any code of a policy's vocabularies (decisions, review conclusions,
/// recommendations, grades, findings, categories…); a code found in none of them is returned
/// through [`code_label`].
pub fn policy_code_label(policies: &PolicySet, policy: &str, code: &str, l: Lang) -> String {
    if let Some(p) = policies.get(policy) {
        let v = &p.vocabularies;
        for terms in [
            &v.decisions,
            &v.expert_conclusions,
            &v.major_change_kinds,
            &v.unit_kinds,
            &v.evaluation_grades,
            &v.annual_grades,
            &v.findings,
            &v.categories,
        ] {
            if let Some(t) = term(terms, code, l) {
                return t;
            }
        }
    }
    code_label(code, l)
}

/// The one label of the codes the program itself uses (stages, states, outcomes); a code this
/// does not know is returned as given, being then already words (a name, a reason).
pub fn code_label(code: &str, l: Lang) -> String {
    let (zh, en) = match code {
        "needs_review" => ("待专家评审", "Needs expert review"),
        "eligible" => ("符合申报条件", "Eligible"),
        "ineligible" => ("不符合申报条件", "Ineligible"),
        "recommend" => ("推荐", "Recommend"),
        "not_recommend" => ("不推荐", "Do not recommend"),
        "neutral" => ("一般", "Neutral"),
        "approve" | "approved" => ("同意", "Approve"),
        "reject" | "rejected" => ("不同意", "Reject"),
        "return" | "returned" => ("退回", "Return"),
        "upheld" => ("异议成立", "Upheld"),
        "dismissed" => ("异议不成立", "Dismissed"),
        "open" => ("进行中", "Open"),
        "closed" => ("已关闭", "Closed"),
        "pending" => ("待办", "Pending"),
        "passed" | "pass" => ("合格", "Pass"),
        "failed" | "fail" => ("不合格", "Fail"),
        "Submitted" | "submitted" => ("已提交", "Submitted"),
        "Endorsed" | "endorsed" => ("推荐单位已同意", "Endorsed"),
        "Approved" => ("已批准", "Approved"),
        "Rejected" => ("未批准", "Rejected"),
        "true" => ("是", "Yes"),
        "false" => ("否", "No"),
        _ => return code.to_string(),
    };
    l.t(zh, en).to_string()
}

/// An eligibility rule by what it requires (`依托单位研发投入占比…`), not by its id.
pub fn rule_label(policies: &PolicySet, policy: &str, id: &str, l: Lang) -> String {
    policies
        .get(policy)
        .and_then(|p| p.eligibility.iter().find(|r| r.id == id))
        .map(|r| l.t(&r.title_zh, &r.title_en).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// Accounts by login, as staff name them: `姓名（单位）`, a unit by its name.
#[derive(Debug, Clone, Default)]
pub struct People(HashMap<String, String>);

impl People {
    /// The names of the people the given records mention — each record's actor and the logins in
    /// its payload's people fields (专家, 勘验人员, 账号…) — read by login: what a page of records
    /// costs follows the records, not the number of accounts.
    pub async fn of_records<'a>(
        state: &AppState,
        records: impl IntoIterator<Item = (&'a str, &'a Value)>,
    ) -> WebResult<People> {
        let mut logins = BTreeSet::new();
        for (actor, payload) in records {
            logins.insert(actor.split_once(':').map_or(actor, |(_, login)| login));
            let Some(obj) = payload.as_object() else { continue };
            for key in PEOPLE_FIELDS {
                match obj.get(*key) {
                    Some(Value::String(s)) => {
                        logins.insert(s.as_str());
                    }
                    Some(Value::Array(xs)) => logins.extend(xs.iter().filter_map(Value::as_str)),
                    _ => {}
                }
            }
        }
        Ok(People(
            state
                .accounts
                .accounts_named(logins)
                .await?
                .into_iter()
                .map(|a| {
                    let label = if a.profile.unit_name.is_empty() || a.profile.unit_name == a.display_name {
                        a.display_name
                    } else {
                        format!("{}（{}）", a.display_name, a.profile.unit_name)
                    };
                    (a.login, label)
                })
                .collect(),
        ))
    }

    /// From pairs (tests, callers that already hold the accounts).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> People {
        People(pairs.into_iter().collect())
    }

    /// The person behind a login, or the login when no account has it.
    pub fn of(&self, login: &str) -> String {
        self.0.get(login).cloned().unwrap_or_else(|| login.to_string())
    }

    /// Who did it, from a recorded actor (`dept:hn-dept`, `user:sys-admin`, `expert:expert-liu`,
    /// `system`): the person's name with their role, or what the system did by itself.
    pub fn actor(&self, actor: &str, l: Lang) -> String {
        let (prefix, login) = actor.split_once(':').unwrap_or(("", actor));
        if prefix == "system" || actor == "system" {
            return l.t("系统（按期自动）", "System (scheduled)").into();
        }
        let role = match prefix {
            "dept" => l.t("省科技厅", "Department"),
            "recommender" => l.t("推荐单位", "Recommender"),
            "unit" => l.t("依托单位", "Support unit"),
            "expert" => l.t("评审专家", "Expert"),
            "sysadmin" => l.t("系统管理员", "System administrator"),
            "secadmin" => l.t("安全管理员", "Security administrator"),
            "auditadmin" => l.t("审计管理员", "Audit administrator"),
            "public" => l.t("公众", "Public"),
            // `--as admin:NAME` on the command line (installation, policy and key tools).
            "admin" => l.t("命令行", "Command line"),
            _ => "",
        };
        // An account acting on itself or an administrator's page: the auditor needs the login
        // beside the name to find the account.
        if prefix == "user" {
            return match self.0.get(login) {
                Some(name) => format!("{name}（{login}）"),
                None => login.to_string(),
            };
        }
        match (prefix, self.0.get(login)) {
            (_, Some(name)) if role.is_empty() => name.clone(),
            (_, Some(name)) => format!("{name}（{role}）"),
            ("", None) if login == "anonymous" => l.t("未登录访问者", "Anonymous visitor").into(),
            ("public", None) if login.parse::<std::net::IpAddr>().is_ok() => format!("{role}（{login}）"),
            ("public", None) => role.to_string(),
            (_, None) if role.is_empty() => login.to_string(),
            (_, None) => format!("{login}（{role}）"),
        }
    }
}

/// Payload fields worth a line, in the order they are told, with their labels; everything else
/// (timestamps, user agents, the full application facts) stays in the raw record.
const FIELDS: &[(&str, &str, &str)] = &[
    ("application", "申报", "Application"),
    ("base", "基地", "Base"),
    ("base_id", "基地", "Base"),
    ("round", "批次", "Round"),
    ("notice", "公示", "Notice"),
    ("official_name", "名称", "Name"),
    ("title", "名称", "Title"),
    ("unit_name", "依托单位", "Support unit"),
    ("account", "账号", "Account"),
    ("login", "账号", "Account"),
    ("expert", "专家", "Expert"),
    ("expert_id", "专家", "Expert"),
    ("inspectors", "勘验人员", "Inspectors"),
    ("members", "专家", "Experts"),
    ("decision", "结论", "Decision"),
    ("conclusion", "结论", "Conclusion"),
    ("score", "评分", "Score"),
    ("grade", "等级", "Grade"),
    ("year", "年度", "Year"),
    ("finding", "情形", "Finding"),
    ("from", "原类型", "From"),
    ("to", "新类型", "To"),
    ("category", "类型", "Category"),
    ("old_category", "原类型", "Old category"),
    ("starts_on", "开始", "Starts"),
    ("ends_on", "截止", "Ends"),
    ("opens_on", "开始", "Opens"),
    ("closes_on", "截止", "Closes"),
    ("recognised_on", "认定日期", "Recognised"),
    ("upheld", "异议成立", "Upheld"),
    ("path", "访问", "Path"),
    ("ip", "地址", "Address"),
    ("field", "字段", "Field"),
    ("findings", "情况", "Findings"),
    ("reasons", "理由", "Reasons"),
    ("reason", "理由", "Reason"),
    ("resolution", "处理意见", "Resolution"),
    ("reason_zh", "原因", "Reason"),
];

/// Fields naming people by login.
const PEOPLE_FIELDS: &[&str] = &["account", "login", "expert", "expert_id", "inspectors", "members"];
/// Fields holding a policy's code.
const CODE_FIELDS: &[&str] = &["decision", "conclusion", "grade", "finding", "from", "to", "category"];

/// One line in words for a record's key fields: `申报 HN-2026-101 · 专家 刘明（中南大学）`.
pub fn describe(policies: &PolicySet, policy: &str, payload: &Value, people: &People, l: Lang) -> String {
    let Some(obj) = payload.as_object() else {
        return String::new();
    };
    let mut parts = Vec::new();
    for (key, zh, en) in FIELDS {
        let Some(v) = obj.get(*key) else { continue };
        let text = match v {
            Value::Null => continue,
            Value::String(s) if s.trim().is_empty() => continue,
            Value::String(s) if PEOPLE_FIELDS.contains(key) => people.of(s),
            Value::String(s) if CODE_FIELDS.contains(key) => policy_code_label(policies, policy, s, l),
            Value::String(s) => shorten(s, 60),
            Value::Bool(b) => code_label(&b.to_string(), l),
            Value::Number(n) => n.to_string(),
            Value::Array(xs) => {
                let names: Vec<String> = xs
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| {
                        if PEOPLE_FIELDS.contains(key) {
                            people.of(s)
                        } else {
                            s.to_string()
                        }
                    })
                    .collect();
                if names.is_empty() {
                    continue;
                }
                shorten(&names.join("、"), 120)
            }
            Value::Object(_) => continue,
        };
        parts.push(format!("{} {text}", l.t(zh, en)));
    }
    parts.join(" · ")
}

fn shorten(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// A moment in Beijing time to the minute, as the audit log shows it: `2026-11-20 14:03`.
pub fn beijing_minute(t: chrono::DateTime<chrono::Utc>) -> String {
    view::beijing_time(t).chars().take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_domain_event_kind_has_a_label() {
        for k in [
            "RoundOpened",
            "ApplicationSubmitted",
            "ExpertAssigned",
            "ReviewSubmitted",
            "SiteInspectionRecorded",
            "ApplicationDecided",
            "PublicNoticeStarted",
            "ObjectionResolved",
            "BaseNamed",
            "BaseCarriedOver",
            "BaseReclassified",
            "MajorChangeFiled",
            "ExpertPanelDrawn",
            "LoginSucceeded",
            "PermissionRefused",
        ] {
            assert_ne!(event_kind_label(k).0, "系统记录", "{k}");
        }
        assert_eq!(event_kind_label("SomethingNew").0, "系统记录");
    }

    #[test]
    fn beijing_time_is_eight_hours_ahead_to_the_minute() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-11-20T23:30:59Z")
            .unwrap()
            .to_utc();
        assert_eq!(beijing_minute(t), "2026-11-21 07:30");
    }

    #[test]
    fn a_record_is_told_in_words_with_people_by_name() {
        let policies = PolicySet::default();
        let people = People::from_pairs([("expert-liu".to_string(), "刘明（中南大学）".to_string())]);
        let p = json!({"application": "HN-2026-101", "inspectors": ["expert-liu"], "decision": "approve", "at": "2026-11-20T00:00:00Z"});
        let s = describe(&policies, "hunan-2026", &p, &people, Lang::Zh);
        assert_eq!(s, "申报 HN-2026-101 · 勘验人员 刘明（中南大学） · 结论 同意");
        assert_eq!(people.actor("dept:nobody", Lang::Zh), "nobody（省科技厅）");
        assert_eq!(people.actor("system:clock", Lang::Zh), "系统（按期自动）");
        assert_eq!(people.actor("admin:install", Lang::Zh), "install（命令行）");
        assert_eq!(
            people.actor("user:expert-liu", Lang::Zh),
            "刘明（中南大学）（expert-liu）"
        );
        assert_eq!(code_label("needs_review", Lang::Zh), "待专家评审");
    }
}
