//! 门户 — the front page (`/`: 通知公告, 政策文件, 办事指南, 下载中心 and the way in for each
//! role), the 办事指南 (`/guide`, `/guide/{policy}`) and the 下载中心 files (`/downloads/{file}`).
//!
//! The department's name, contacts and the site's record lines (备案) are deployment settings
//! ([`PortalSettings`], a JSON file named by `GUOHE_PORTAL_FILE`), never written in a template;
//! the guide's steps, periods and articles come from the policy file (`guohe_policy::guide`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use guohe_policy::PolicySet;
use guohe_policy::guide::{GuideStep, Phase, guide};
use serde::{Deserialize, Serialize};

use super::policies::{self, PolicyEntry};
use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{Chrome, render};

/// The department's contact details in one province (联系方式).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Contact {
    /// GB/T 2260 province prefix, as in the policy files (`43`).
    pub province: String,
    /// The department (`湖南省科学技术厅`).
    pub department: String,
    /// The office in charge (`国际合作处`).
    pub office: String,
    /// Postal address.
    pub address: String,
    /// Postcode.
    pub postcode: String,
    /// Telephone for enquiries.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Office hours.
    pub hours: String,
}

/// What the portal shows about the deployment: the site's name in the header band, contacts
/// per province and the record lines of the footer (主办单位, ICP 备案, …).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct PortalSettings {
    /// The name in the header band, Chinese.
    pub name_zh: String,
    /// The name in the header band, English.
    pub name_en: String,
    /// Contacts, one per province.
    pub contacts: Vec<Contact>,
    /// Footer lines, in order (主办单位, 备案号, …).
    pub record_lines: Vec<String>,
}

/// The example settings the demo runs with (`examples/portal.json`).
pub const EXAMPLE_SETTINGS: &str = include_str!("../../../../examples/portal.json");

/// A settings file that cannot be used, with the reason in both languages.
#[derive(Debug, thiserror::Error)]
#[error("{en}")]
pub struct SettingsError {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl PortalSettings {
    /// Reads settings from JSON; unknown fields are refused so a misspelt key is not silently
    /// ignored.
    pub fn from_json(text: &str) -> Result<PortalSettings, SettingsError> {
        let s: PortalSettings = serde_json::from_str(text).map_err(|e| SettingsError {
            zh: format!("门户设置文件格式有误：{e}"),
            en: format!("the portal settings are not valid: {e}"),
        })?;
        if s.name_zh.trim().is_empty() {
            return Err(SettingsError {
                zh: "门户设置缺少 name_zh（页头显示的名称）".into(),
                en: "the portal settings lack name_zh (the name in the header)".into(),
            });
        }
        Ok(s)
    }

    /// The example settings (the demo's).
    pub fn example() -> PortalSettings {
        // The example file is checked by the tests; a broken one is a build defect.
        PortalSettings::from_json(EXAMPLE_SETTINGS).unwrap_or_else(|e| panic!("examples/portal.json: {e}"))
    }

    /// Settings without a file: the issuers of the policies as the name, one contact line per
    /// province naming the department only, no record line.
    pub fn from_policies(set: &PolicySet) -> PortalSettings {
        let mut issuers: Vec<(String, String)> = Vec::new();
        for p in set.all() {
            if !issuers.iter().any(|(_, i)| *i == p.issuer) {
                issuers.push((p.province.code.clone(), p.issuer.clone()));
            }
        }
        PortalSettings {
            name_zh: issuers.iter().map(|(_, i)| i.as_str()).collect::<Vec<_>>().join(" · "),
            name_en: "Provincial Departments of Science and Technology".into(),
            contacts: issuers
                .into_iter()
                .map(|(province, department)| Contact {
                    province,
                    department,
                    ..Contact::default()
                })
                .collect(),
            record_lines: Vec::new(),
        }
    }
}

/// The header band and footer of the portal pages.
#[derive(Debug, Clone)]
pub struct PortalView {
    /// Site name.
    pub name: String,
    /// The emblem-like mark's character.
    pub mark: &'static str,
    /// Contacts.
    pub contacts: Vec<Contact>,
    /// Footer lines.
    pub record_lines: Vec<String>,
}

impl PortalView {
    /// The portal view of the running settings.
    pub fn of(state: &AppState, l: Lang) -> PortalView {
        let s = &state.settings.portal;
        PortalView {
            name: l.pick(s.name_zh.clone(), s.name_en.clone()),
            mark: "科",
            contacts: s.contacts.clone(),
            record_lines: s.record_lines.clone(),
        }
    }
}

/// A file of the 下载中心.
#[derive(Debug, Clone, Copy)]
pub struct Download {
    /// File name under `/downloads/`, or a full path for a file served elsewhere.
    pub href: &'static str,
    /// What it is, Chinese.
    pub zh: &'static str,
    /// What it is, English.
    pub en: &'static str,
    /// Format shown beside it.
    pub format: &'static str,
    /// Content, for the files served from `/downloads/`.
    pub body: Option<&'static str>,
}

/// 模板下载 — every file the 下载中心 lists, in one place. An entry for a template served by
/// another part of the application (e.g. the bases import template at
/// `/dept/import/template.xlsx`) is added here, with `body: None`, when that route exists.
pub const DOWNLOADS: &[Download] = &[
    Download {
        href: "/downloads/application-facts.schema.json",
        zh: "申报信息数据格式（JSON Schema）",
        en: "Application facts schema (JSON Schema)",
        format: "JSON",
        body: Some(include_str!("../../../../docs/application-facts.schema.json")),
    },
    Download {
        href: "/downloads/hunan-joint-research.json",
        zh: "申报信息示例：湖南·联合研究类",
        en: "Example application: Hunan, joint research",
        format: "JSON",
        body: Some(include_str!(
            "../../../../examples/applications/hunan-joint-research.json"
        )),
    },
    Download {
        href: "/downloads/hubei-enterprise.json",
        zh: "申报信息示例：湖北·企业",
        en: "Example application: Hubei, enterprise",
        format: "JSON",
        body: Some(include_str!("../../../../examples/applications/hubei-enterprise.json")),
    },
    Download {
        href: "/downloads/hunan-2026.md",
        zh: "《湖南省科学技术厅国际科技合作基地管理办法》全文",
        en: "Hunan regulation, full text",
        format: "Markdown",
        body: Some(include_str!("../../../../policies/texts/hunan-2026.md")),
    },
    Download {
        href: "/downloads/hubei-2022.md",
        zh: "《湖北省国际科技合作基地管理办法》全文",
        en: "Hubei regulation, full text",
        format: "Markdown",
        body: Some(include_str!("../../../../policies/texts/hubei-2022.md")),
    },
    // ---- 模板下载: templates served by other routes go below this line. ----
];

/// `GET /downloads/{file}` — a file of [`DOWNLOADS`], as an attachment.
pub async fn download(Path(file): Path<String>) -> Result<Response, WebError> {
    let d = DOWNLOADS
        .iter()
        .find(|d| d.href.strip_prefix("/downloads/") == Some(file.as_str()))
        .ok_or(WebError::NotFound)?;
    let body = d.body.ok_or(WebError::NotFound)?;
    let kind = if file.ends_with(".json") {
        "application/json; charset=utf-8"
    } else {
        "text/markdown; charset=utf-8"
    };
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// One line of 通知公告.
#[derive(Debug, Clone)]
pub struct NewsItem {
    /// Date shown.
    pub on: NaiveDate,
    /// 公示 or 公告.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Link.
    pub href: String,
    /// Phase of a notice (`running`, `ended`, …), empty for announcements.
    pub phase: String,
    /// Its label.
    pub phase_label: String,
}

/// How many lines of 通知公告 the front page shows.
const NEWS_LINES: usize = 8;

async fn news(state: &AppState, l: Lang) -> Vec<NewsItem> {
    let mut out: Vec<NewsItem> = super::public_notices::notice_list_views(state, l)
        .await
        .into_iter()
        .map(|n| NewsItem {
            on: n.starts_on,
            kind: l.t("公示", "Notice").to_string(),
            title: l.pick(
                format!("{}认定公示（{}项）", n.policy_label, n.listed),
                format!("{}: notice of recognition ({} listed)", n.policy_label, n.listed),
            ),
            href: format!("/notices/{}", n.id),
            phase: n.phase.to_string(),
            phase_label: n.phase_label,
        })
        .collect();
    let today = state.today();
    let policies = state.guohe.policies();
    let latest = state.guohe.announcement_page(today, 0, NEWS_LINES).await;
    let groups = latest.announcements.into_iter().map(|a| {
        let issuer = policies.get(&a.policy).map_or(a.policy, |p| p.issuer.clone());
        (a.on, issuer, a.bases.len())
    });
    out.extend(groups.map(|(on, issuer, n)| NewsItem {
        on,
        kind: l.t("公告", "Announcement").to_string(),
        title: l.pick(
            format!("{issuer}关于认定命名国际科技合作基地的公告（{n}家）"),
            format!("{issuer}: announcement of naming ({n} bases)"),
        ),
        href: "/announcements".into(),
        phase: String::new(),
        phase_label: String::new(),
    }));
    out.sort_by(|a, b| b.on.cmp(&a.on).then_with(|| a.title.cmp(&b.title)));
    out.truncate(NEWS_LINES);
    out
}

/// A way in for one audience.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Who.
    pub title: &'static str,
    /// What they do here.
    pub what: &'static str,
    /// Their work area.
    pub href: &'static str,
}

fn entries(l: Lang) -> Vec<Entry> {
    let e = |zh: (&'static str, &'static str), en: (&'static str, &'static str), href| {
        let (title, what) = match l {
            Lang::Zh => zh,
            Lang::En => en,
        };
        Entry { title, what, href }
    };
    vec![
        e(
            ("依托单位", "申报基地、报送年度报告、报告重大事项"),
            ("Support units", "apply, file annual reports and major changes"),
            "/unit",
        ),
        e(
            ("推荐单位", "审核推荐本地区、本系统的申报"),
            ("Recommenders", "review and recommend applications"),
            "/recommender",
        ),
        e(
            ("评审专家", "评审分配给本人的申报"),
            ("Experts", "review the applications assigned"),
            "/expert",
        ),
        e(
            ("省科技厅", "组织认定、公示、命名、考核评估"),
            ("The department", "recognition, notices, naming, evaluation"),
            "/dept",
        ),
    ]
}

/// The front page.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomeTpl {
    /// Layout.
    pub c: Chrome,
    /// Header band and footer.
    pub portal: PortalView,
    /// 通知公告.
    pub news: Vec<NewsItem>,
    /// 政策文件.
    pub policies: Vec<PolicyEntry>,
    /// 办事指南: (policy id, province, the recognition steps' names).
    pub guides: Vec<(String, String, Vec<String>)>,
    /// 下载中心.
    pub downloads: &'static [Download],
    /// Ways in.
    pub entries: Vec<Entry>,
    /// The signed-in user's work area, if any.
    pub home: Option<&'static str>,
}

/// `GET /`.
pub async fn home(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let l = ctx.lang;
    let policies = policies::entries(&state);
    let guides = state
        .guohe
        .policies()
        .all()
        .iter()
        .map(|p| {
            let steps = guide(p)
                .into_iter()
                .filter(|s| s.phase == Phase::Recognition)
                .map(|s| l.t(s.title_zh, s.title_en).to_string())
                .collect();
            (p.id.clone(), p.province.name.clone(), steps)
        })
        .collect();
    let home = ctx.principal().map(|p| p.home());
    render(&HomeTpl {
        c: ctx.chrome("/"),
        portal: PortalView::of(&state, l),
        news: news(&state, l).await,
        policies,
        guides,
        downloads: DOWNLOADS,
        entries: entries(l),
        home,
    })
}

/// One step of a guide as shown: the step and its articles' labels and links.
#[derive(Debug, Clone)]
pub struct StepView {
    /// The step.
    pub s: GuideStep,
    /// (label, link, text) of each article.
    pub articles: Vec<(String, String, String)>,
}

/// A policy's guide.
#[derive(Template)]
#[template(path = "guide.html")]
pub struct GuideTpl {
    /// Layout.
    pub c: Chrome,
    /// Header band and footer.
    pub portal: PortalView,
    /// The policy.
    pub p: PolicyEntry,
    /// (phase heading, steps).
    pub phases: Vec<(String, Vec<StepView>)>,
    /// Contacts of the policy's province.
    pub contact: Option<Contact>,
    /// The other policies' guides: (id, title).
    pub others: Vec<(String, String)>,
}

/// `GET /guide` — the guide of the signed-in user's province's regulation in force, else of the
/// latest regulation in force; the page links to the others.
pub async fn guide_index(ctx: RequestCtx, state: State<AppState>) -> WebResult<Response> {
    let mine: Vec<String> = ctx.principal().map(|p| p.policies.clone()).unwrap_or_default();
    let first = policies::entries(&state)
        .into_iter()
        .max_by_key(|p| (mine.contains(&p.id), p.in_force, p.in_force_from))
        .ok_or(WebError::NotFound)?;
    guide_page(ctx, state, Path(first.id)).await
}

/// `GET /guide/{policy}` — 404 for a policy the running set does not have.
pub async fn guide_page(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let l = ctx.lang;
    let set = state.guohe.policies();
    let p = set.get(&id).ok_or(WebError::NotFound)?;
    let entry = policies::entries(&state)
        .into_iter()
        .find(|e| e.id == id)
        .ok_or(WebError::NotFound)?;
    let mut phases: Vec<(String, Vec<StepView>)> = Vec::new();
    for s in guide(p) {
        let heading = l.t(s.phase.zh(), s.phase.en()).to_string();
        let articles = s
            .articles
            .iter()
            .map(|a| {
                let label = match l {
                    Lang::Zh => p.cite_zh(*a),
                    Lang::En => format!("art. {a}"),
                };
                let text: String = p.text(*a).unwrap_or("").chars().take(300).collect();
                (label, policies::article_href(&p.id, a.article), text)
            })
            .collect();
        let view = StepView { s, articles };
        match phases.last_mut() {
            Some((h, steps)) if *h == heading => steps.push(view),
            _ => phases.push((heading, vec![view])),
        }
    }
    let portal = PortalView::of(&state, l);
    let contact = portal.contacts.iter().find(|c| c.province == p.province.code).cloned();
    let others = set
        .all()
        .iter()
        .filter(|o| o.id != id)
        .map(|o| (o.id.clone(), o.title.clone()))
        .collect();
    render(&GuideTpl {
        c: ctx.chrome("/guide"),
        portal,
        p: entry,
        phases,
        contact,
        others,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_settings_read_and_bad_ones_are_refused() {
        let s = PortalSettings::example();
        assert!(!s.name_zh.is_empty());
        // One contact per built-in policy's province.
        for p in guohe_policy::builtin() {
            assert!(s.contacts.iter().any(|c| c.province == p.province.code), "{}", p.id);
        }
        let e = PortalSettings::from_json(r#"{"name_zh": "x", "phone": "1"}"#).unwrap_err();
        assert!(e.zh.contains("格式有误"), "{}", e.zh);
        assert!(PortalSettings::from_json(r#"{"name_en": "x"}"#).is_err());
    }

    #[test]
    fn settings_without_a_file_name_the_issuers() {
        let s = PortalSettings::from_policies(&PolicySet::default());
        assert!(s.name_zh.contains("湖南省科学技术厅"), "{}", s.name_zh);
        assert_eq!(s.contacts.len(), 2);
        assert!(policies::official_text("hunan-2026").is_some() && policies::official_text("hubei-2022").is_some());
    }

    #[test]
    fn every_download_served_here_has_a_body() {
        for d in DOWNLOADS {
            if d.href.starts_with("/downloads/") {
                assert!(d.body.is_some_and(|b| !b.is_empty()), "{}", d.href);
            }
        }
    }
}
