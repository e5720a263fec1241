//! 页面外框 — the layout every page shares ([`Chrome`]), rendering, and labels for domain codes
//! in both languages.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use guohe_domain::BaseStatus;
use guohe_policy::{Citation, PolicySet};
use guohe_store::AccountRole;

use crate::authz::role_label;
use crate::error::{ErrorPage, FieldError, WebError};
use crate::i18n::Lang;
use crate::security::RequestCtx;

/// A navigation link.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Target.
    pub href: &'static str,
    /// Chinese label.
    pub zh: &'static str,
    /// English label.
    pub en: &'static str,
    /// The current section.
    pub active: bool,
}

/// The signed-in user, as shown in the header.
#[derive(Debug, Clone)]
pub struct UserChip {
    /// Display name.
    pub name: String,
    /// Role, Chinese.
    pub role_zh: &'static str,
    /// Role, English.
    pub role_en: &'static str,
}

/// The layout's data: language, user, navigation, CSRF token, language-switch links.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Language.
    pub lang: Lang,
    /// Signed-in user.
    pub user: Option<UserChip>,
    /// Navigation.
    pub nav: Vec<NavItem>,
    /// CSRF token for the forms of this page.
    pub csrf: String,
    /// Link to this page in Chinese.
    pub zh_href: String,
    /// Link to this page in English.
    pub en_href: String,
}

/// The navigation for a role: public sections first, then the role's work area. Role pages
/// added later only need an entry here.
pub fn nav_for(role: Option<AccountRole>, active: &str) -> Vec<NavItem> {
    let mut items = vec![
        ("/bases", "基地名录", "Register"),
        ("/notices", "公示", "Public notices"),
        ("/announcements", "公告", "Announcements"),
        ("/draws", "随机抽查", "Random inspections"),
        ("/subsidies", "后补助", "Post-subsidies"),
        ("/stats", "统计", "Statistics"),
        ("/policies", "政策文件", "Regulations"),
        ("/guide", "办事指南", "Guides"),
        ("/policies/compare", "办法对比", "Compare policies"),
        ("/verify", "资格核验", "Verify a base"),
    ];
    match role {
        Some(AccountRole::Department) => items.push(("/dept", "工作台", "Dashboard")),
        Some(AccountRole::Recommender) => items.push(("/recommender", "推荐工作台", "Recommender desk")),
        Some(AccountRole::SupportUnit) => items.push(("/unit", "本单位", "My unit")),
        Some(AccountRole::Expert) => items.push(("/expert", "评审任务", "Reviews")),
        Some(AccountRole::SystemAdmin) => items.push(("/admin/system", "系统管理", "System administration")),
        Some(AccountRole::SecurityAdmin) => items.push(("/admin/security", "安全管理", "Security administration")),
        Some(AccountRole::AuditAdmin) => items.push(("/admin/audit", "审计管理", "Audit administration")),
        None => {}
    }
    if role.is_some() {
        items.push(("/inbox", "通知", "Notifications"));
    }
    items
        .into_iter()
        .map(|(href, zh, en)| NavItem {
            href,
            zh,
            en,
            active: href == active,
        })
        .collect()
}

/// A page link; `n == 0` stands for a gap of pages not linked.
#[derive(Debug, Clone)]
pub struct PageLink {
    /// Page number, or 0 for a gap.
    pub n: usize,
    /// Link.
    pub href: String,
    /// Current page.
    pub current: bool,
}

/// Links to the first, the last and the pages around the current one, with a gap for the rest,
/// so that a list of thousands of pages does not print thousands of links.
pub fn page_links(last: usize, page: usize, href: impl Fn(usize) -> String) -> Vec<PageLink> {
    let mut pages: Vec<PageLink> = Vec::new();
    for n in 1..=last {
        if n == 1 || n == last || n.abs_diff(page) <= 2 {
            pages.push(PageLink {
                n,
                href: href(n),
                current: n == page,
            });
        } else if pages.last().is_some_and(|p| p.n != 0) {
            pages.push(PageLink {
                n: 0,
                href: String::new(),
                current: false,
            });
        }
    }
    pages
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `path?query` with `lang=` set to `code` (other parameters kept).
fn with_lang(path: &str, code: &str) -> String {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
    pairs.retain(|(k, _)| k != "lang");
    pairs.push(("lang".into(), code.into()));
    format!("{p}?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

impl RequestCtx {
    /// The layout data for a page in section `active`.
    pub fn chrome(&self, active: &str) -> Chrome {
        let p = self.principal();
        Chrome {
            lang: self.lang,
            user: p.map(|p| {
                let (role_zh, role_en) = role_label(p.role);
                UserChip {
                    name: p.display_name.clone(),
                    role_zh,
                    role_en,
                }
            }),
            nav: nav_for(p.map(|p| p.role), active),
            csrf: self.csrf.clone(),
            zh_href: with_lang(&self.path, "zh"),
            en_href: with_lang(&self.path, "en"),
        }
    }
}

/// Renders a page.
pub fn render<T: Template>(t: &T) -> Result<Response, WebError> {
    Ok(Html(t.render()?).into_response())
}

/// Error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorTpl {
    /// Layout.
    pub c: Chrome,
    /// Status code.
    pub status: u16,
    /// Title.
    pub title: String,
    /// Message.
    pub message: String,
    /// Field errors, in the page's language: (field, message).
    pub fields: Vec<(String, String)>,
    /// Incident reference.
    pub incident: Option<String>,
}

/// The HTML of an error page (falls back to plain text if the template itself fails).
pub fn error_page(ctx: &RequestCtx, page: &ErrorPage) -> String {
    let l = ctx.lang;
    let title = match page.status.as_u16() {
        400 => l.t("提交的内容有误", "Bad request"),
        403 => l.t("无权访问", "Forbidden"),
        404 => l.t("页面不存在", "Not found"),
        409 => l.t("操作冲突", "Conflict"),
        413 => l.t("内容过大", "Too large"),
        _ => l.t("系统错误", "Error"),
    };
    let t = ErrorTpl {
        c: ctx.chrome(""),
        status: page.status.as_u16(),
        title: title.to_string(),
        message: l.pick(page.zh.clone(), page.en.clone()),
        fields: page
            .fields
            .iter()
            .map(|f: &FieldError| (f.field.clone(), l.pick(f.zh.clone(), f.en.clone())))
            .collect(),
        incident: page.incident.clone(),
    };
    t.render()
        .unwrap_or_else(|_| format!("{} {}", page.status.as_u16(), title))
}

/// Field errors of a form, looked up by field name in templates.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    /// The errors.
    pub list: Vec<FieldError>,
    /// Language.
    pub lang: Lang,
}

impl FormErrors {
    /// No errors yet.
    pub fn new(lang: Lang) -> FormErrors {
        FormErrors { list: Vec::new(), lang }
    }
    /// Adds an error.
    pub fn push(&mut self, e: FieldError) {
        self.list.push(e);
    }
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    /// The message for a field, or empty.
    pub fn get(&self, field: &str) -> String {
        self.list
            .iter()
            .filter(|e| e.field == field)
            .map(|e| self.lang.pick(e.zh.clone(), e.en.clone()))
            .collect::<Vec<_>>()
            .join(" ")
    }
    /// Whether a field has an error.
    pub fn has(&self, field: &str) -> bool {
        self.list.iter().any(|e| e.field == field)
    }
}

/// Status code of a base for filters and CSV.
pub fn status_code(s: BaseStatus) -> &'static str {
    guohe_app::read_models::status_code(s)
}

/// Every base status code with its labels, in display order.
pub const STATUSES: &[(&str, &str, &str)] = &[
    ("active", "正常运行", "Active"),
    ("rectification", "限期整改", "Under rectification"),
    ("terminated", "终止并注销命名", "Terminated"),
    ("revoked", "撤销命名", "Revoked"),
    ("disqualified", "取消资格", "Disqualified"),
    (
        "exited_national",
        "退出省级管理序列（国家基地）",
        "Left for the national register",
    ),
];

/// A base status label.
pub fn status_label(s: BaseStatus, l: Lang) -> String {
    let code = status_code(s);
    let (_, zh, en) = STATUSES
        .iter()
        .find(|(c, _, _)| *c == code)
        .copied()
        .unwrap_or(("", "", ""));
    match s {
        BaseStatus::UnderRectification { until } => {
            l.pick(format!("{zh}（至{until}）"), format!("{en} (until {until})"))
        }
        BaseStatus::Disqualified { ban_until: Some(u) } => {
            l.pick(format!("{zh}（{u}前不得重新申请）"), format!("{en} (barred until {u})"))
        }
        _ => l.t(zh, en).to_string(),
    }
}

/// A category label from the policy vocabulary.
pub fn category_label(policies: &PolicySet, policy: &str, code: Option<&str>, l: Lang) -> String {
    let Some(code) = code else { return String::new() };
    policies
        .get(policy)
        .and_then(|p| p.vocabularies.categories.iter().find(|t| t.code == code))
        .map(|t| l.t(&t.zh, &t.en).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// A country's name from its ISO code.
pub fn country_label(code: Option<&str>, l: Lang) -> String {
    match code.and_then(guohe_reference::country::lookup) {
        Some(c) => l.t(c.name_zh, c.name_en).to_string(),
        None => code.unwrap_or("").to_string(),
    }
}

/// The prefecture-level division (`xxyy00`) of a division code, as in the reference table.
pub fn prefecture_of(code: &str) -> Option<&'static guohe_reference::Region> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    guohe_reference::region::lookup(code).or_else(|| guohe_reference::region::lookup(&format!("{}00", &code[..4])))
}

/// A region's name (prefecture or province).
pub fn region_label(code: Option<&str>) -> String {
    let Some(code) = code else { return String::new() };
    match prefecture_of(code) {
        Some(r) if r.kind == guohe_reference::RegionKind::Province => r.province.to_string(),
        Some(r) => format!("{}{}", r.province, r.name),
        None => guohe_reference::region::province_of(code)
            .map(|r| r.province.to_string())
            .unwrap_or_default(),
    }
}

/// A citation in Chinese (`湘科发〔2026〕27号 第十五条`) or machine form in English, with the
/// article's text for a tooltip.
pub fn citation_label(policies: &PolicySet, text: &str, l: Lang) -> (String, String) {
    let Ok(c) = Citation::parse(text) else {
        return (text.to_string(), String::new());
    };
    match policies.get(&c.policy) {
        Some(p) => {
            let label = match l {
                Lang::Zh => format!("{} {}", p.document_number, p.cite_zh(c.at)),
                Lang::En => format!("{} art. {}", p.document_number, c.at),
            };
            (label, p.text(c.at).unwrap_or("").chars().take(300).collect())
        }
        None => (text.to_string(), String::new()),
    }
}

/// Labels of the events a base's public page shows; others stay internal.
pub fn base_event_label(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "BaseNamed" => ("命名", "Named"),
        "BaseCarriedOver" => ("纳入管理（过渡）", "Carried over"),
        "BaseReclassified" => ("重新认定类别", "Reclassified"),
        "AnnualReportSubmitted" => ("报送年度报告", "Annual report filed"),
        "AnnualReportMissing" => ("年度报告未报送", "Annual report missing"),
        "AnnualAssessmentRecorded" => ("年度考核", "Annual assessment"),
        "InspectionResultRecorded" => ("现场考察（随机抽取）", "Site inspection (drawn)"),
        "EvaluationRecorded" => ("评估", "Evaluation"),
        "PostSubsidyAwarded" => ("建设经费后补助", "Post-subsidy"),
        "RectificationOrdered" => ("限期整改", "Rectification ordered"),
        "RectificationCompleted" => ("整改完成", "Rectification completed"),
        "BaseTerminated" => ("终止并注销命名", "Terminated"),
        "BaseRevoked" => ("撤销命名", "Revoked"),
        "BaseDisqualified" => ("取消资格", "Disqualified"),
        "DocumentIssued" => ("印发公文", "Document issued"),
        "BaseExitedNational" => (
            "认定为国家基地，退出省级管理序列",
            "Recognised nationally; left the provincial register",
        ),
        "MajorChangeApproved" => ("重大事项变更生效", "Major change approved"),
        "FindingRecorded" => ("查实情形", "Finding recorded"),
        "RecommendedToNational" => ("推荐申报国家国际科技合作基地", "Recommended to the national programme"),
        "NationalOutcomeRecorded" => ("国家级认定结果", "National outcome"),
        _ => return None,
    })
}

/// Grade labels for payloads of assessments and evaluations.
pub fn grade_label(policies: &PolicySet, policy: &str, code: &str, l: Lang) -> String {
    policies
        .get(policy)
        .and_then(|p| {
            p.vocabularies
                .evaluation_grades
                .iter()
                .chain(p.vocabularies.annual_grades.iter())
                .chain(p.vocabularies.findings.iter())
                .find(|t| t.code == code)
        })
        .map(|t| l.t(&t.zh, &t.en).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// A moment in Beijing time (UTC+8), as staff read it: `2026-11-20 14:03:27`.
pub fn beijing_time(t: chrono::DateTime<chrono::Utc>) -> String {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("UTC"));
    t.with_timezone(&cst).format("%Y-%m-%d %H:%M:%S").to_string()
}
