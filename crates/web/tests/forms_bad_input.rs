//! 表单异常输入 — every POST form of the pages, submitted by a principal allowed to use it, with
//! bad input: every field empty, every text field 5,000 characters long, letters in number and
//! date fields, a script in every field, and for the upload a text file named `.pdf`.
//!
//! Each answer must be the client error expected for its row and case — 400 or 422 for bad
//! input, 409 only where a script is valid text meeting a refusing state, never 403 — (never a
//! 500, never a success), must not echo the
//! script unescaped, must show a message in Chinese, and must not have written a domain event
//! (audit records, such as refusals, are allowed). A page route taking POST without a row in
//! [`FORMS`] fails the test.
//!
//! Targets are chosen, as in the permission matrix, so that a form with only free text would be
//! refused by the rules even if its text were acceptable (an application already named, an
//! objection already resolved): what is checked is the form's answer to bad input.

use crate::api_common;
use crate::common;

use std::collections::BTreeSet;

use api_common::{Client, demo_app};
use common::TestApp;
use hyper::Method;

const SCRIPT: &str = "<script>alert(1)</script>";

/// What a field holds.
#[derive(Clone, Copy)]
enum F {
    /// Free text.
    T,
    /// A number, date or score, with a valid value for the cases that keep it valid.
    N(&'static str),
    /// A choice (select, radio), with a valid value.
    C(&'static str),
    /// A control field (`confirmed`, `action`): empty only when every field is empty.
    K(&'static str),
}

use F::{C, K, N, T};

/// How the form is sent.
#[derive(Clone, Copy, PartialEq)]
enum Body {
    /// `application/x-www-form-urlencoded`, `_csrf` in the body.
    Form,
    /// The attachment upload: multipart, `_csrf` in the query.
    Upload,
    /// A form of one button: the cases send stray fields, which must change nothing.
    Button(&'static [u16]),
}

struct Row {
    route: &'static str,
    /// Concrete path; `{draft}` is a draft of the unit `hb-ggjg` made for the test.
    path: &'static str,
    who: &'static str,
    body: Body,
    fields: &'static [(&'static str, F)],
}

const FORMS: &[Row] = &[
    // ---- self-registration and the administrators ----
    Row {
        route: "/register",
        path: "/register",
        who: "anonymous",
        body: Body::Form,
        fields: &[
            ("display_name", T),
            ("uscc", T),
            ("province", C("43")),
            ("login", T),
            ("password", T),
            ("confirm", T),
        ],
    },
    Row {
        route: "/dept/registrations/{login}",
        path: "/dept/registrations/hn-xjsw",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("decision", C("approve"))],
    },
    Row {
        route: "/admin/system/accounts",
        path: "/admin/system/accounts",
        who: "sys-admin",
        body: Body::Form,
        fields: &[
            ("login", T),
            ("display_name", T),
            ("role", C("expert")),
            ("province", C("42")),
            ("org_id", T),
            ("title", T),
            ("unit_name", T),
            ("domains", T),
            ("password", T),
        ],
    },
    Row {
        route: "/admin/system/accounts/{login}",
        path: "/admin/system/accounts/expert-xie",
        who: "sys-admin",
        body: Body::Form,
        fields: &[
            ("display_name", T),
            ("province", C("43")),
            ("org_id", T),
            ("title", T),
            ("unit_name", T),
            ("domains", T),
        ],
    },
    Row {
        route: "/admin/system/accounts/{login}/active",
        path: "/admin/system/accounts/expert-xie/active",
        who: "sys-admin",
        body: Body::Button(&[400]),
        fields: &[],
    },
    Row {
        route: "/admin/system/accounts/{login}/password",
        path: "/admin/system/accounts/expert-xie/password",
        who: "sys-admin",
        body: Body::Form,
        fields: &[("password", T)],
    },
    Row {
        route: "/admin/system/organisations",
        path: "/admin/system/organisations",
        who: "sys-admin",
        body: Body::Form,
        fields: &[
            ("id", T),
            ("name", T),
            ("province", C("43")),
            ("regions", T),
            ("units", T),
        ],
    },
    Row {
        route: "/admin/security",
        path: "/admin/security",
        who: "sec-admin",
        body: Body::Form,
        fields: &[
            ("password_expiry_days", N("90")),
            ("throttle_after", N("5")),
            ("throttle_cap_minutes", N("15")),
            ("idle_minutes", N("30")),
        ],
    },
    Row {
        route: "/admin/security/unlock/{login}",
        path: "/admin/security/unlock/nobody",
        who: "sec-admin",
        body: Body::Button(&[404]),
        fields: &[],
    },
    Row {
        route: "/admin/security/sessions/end",
        path: "/admin/security/sessions/end",
        who: "sec-admin",
        body: Body::Form,
        fields: &[("session", T), ("login", T)],
    },
    Row {
        route: "/admin/audit/verify",
        path: "/admin/audit/verify",
        who: "audit-admin",
        body: Body::Button(&[200]),
        fields: &[],
    },
    Row {
        route: "/notices/{id}/objections",
        path: "/notices/HN-GS-2026-2/objections",
        who: "anonymous",
        body: Body::Form,
        fields: &[
            ("application", C("HN-2026-201")),
            ("name", T),
            ("contact", T),
            ("content", T),
        ],
    },
    Row {
        route: "/login",
        path: "/login",
        who: "anonymous",
        body: Body::Form,
        fields: &[("login", T), ("password", T), ("otp", T), ("next", T)],
    },
    Row {
        route: "/logout",
        path: "/logout",
        who: "anonymous",
        body: Body::Button(&[303]),
        fields: &[],
    },
    Row {
        route: "/account/password",
        path: "/account/password",
        who: "hn-zngy",
        body: Body::Form,
        fields: &[("current", T), ("new", T), ("confirm", T)],
    },
    // ---- notifications ----
    Row {
        route: "/inbox/read-all",
        path: "/inbox/read-all",
        who: "hn-zngy",
        body: Body::Button(&[303]),
        fields: &[],
    },
    Row {
        route: "/inbox/{id}/read",
        path: "/inbox/999999/read",
        who: "hn-zngy",
        body: Body::Button(&[404]),
        fields: &[],
    },
    Row {
        route: "/account/personal",
        path: "/account/personal",
        who: "hn-zngy",
        body: Body::Form,
        fields: &[("phone", T), ("email", T), ("action", K("save"))],
    },
    Row {
        // The demo's department accounts are enrolled already: whatever is sent, nothing
        // changes (bad codes during a real enrolment: tests/signin.rs).
        route: "/account/2fa",
        path: "/account/2fa",
        who: "hn-dept",
        body: Body::Button(&[409]),
        fields: &[],
    },
    // ---- support unit ----
    Row {
        route: "/unit/drafts",
        path: "/unit/drafts",
        who: "hb-ggjg",
        body: Body::Form,
        fields: &[("round", T), ("resubmit", T)],
    },
    Row {
        route: "/unit/drafts/{id}",
        path: "/unit/drafts/{draft}",
        who: "hb-ggjg",
        body: Body::Form,
        // The draft's own fields are read from its page and added to these.
        fields: &[("action", K("submit")), ("round", C("HB-2026"))],
    },
    Row {
        route: "/unit/drafts/{id}/check",
        path: "/unit/drafts/{draft}/check",
        who: "hb-ggjg",
        body: Body::Form,
        fields: &[("round", C("HB-2026"))],
    },
    Row {
        route: "/unit/drafts/{id}/attachments",
        path: "/unit/drafts/{draft}/attachments",
        who: "hb-ggjg",
        body: Body::Upload,
        fields: &[("kind", C("cooperation_agreement"))],
    },
    // The import of existing bases: no file, or a file that is no spreadsheet, is refused and
    // nothing is carried over.
    Row {
        route: "/dept/import",
        path: "/dept/import",
        who: "hn-dept",
        body: Body::Upload,
        fields: &[("checked", T)],
    },
    Row {
        route: "/dept/import/confirm",
        path: "/dept/import/confirm",
        who: "hn-dept",
        body: Body::Upload,
        fields: &[("checked", T)],
    },
    Row {
        route: "/unit/drafts/{id}/attachments/{file}/delete",
        path: "/unit/drafts/{draft}/attachments/F-NONE/delete",
        who: "hb-ggjg",
        body: Body::Button(&[404]),
        fields: &[],
    },
    Row {
        route: "/unit/applications/{id}/withdraw",
        path: "/unit/applications/HN-2026-101/withdraw",
        who: "hn-xjsw",
        body: Body::Form,
        fields: &[("reason", T), ("confirmed", K("yes"))],
    },
    Row {
        route: "/unit/bases/{id}/reports",
        path: "/unit/bases/HN-2026-01/reports",
        who: "hn-xjsw",
        body: Body::Form,
        fields: &[("year", N("2026"))],
    },
    Row {
        route: "/unit/bases/{id}/changes",
        path: "/unit/bases/HN-2026-01/changes",
        who: "hn-xjsw",
        body: Body::Form,
        fields: &[
            ("kind", C("rename")),
            ("description", T),
            ("new_value", T),
            ("new_uscc", T),
        ],
    },
    // ---- recommender ----
    Row {
        route: "/recommender/applications/{id}/recommend",
        path: "/recommender/applications/HN-2026-101/recommend",
        who: "rec-changsha",
        body: Body::Form,
        fields: &[("opinion", T)],
    },
    Row {
        route: "/recommender/applications/{id}/return",
        path: "/recommender/applications/HN-2026-101/return",
        who: "rec-changsha",
        body: Body::Form,
        fields: &[("reasons", T)],
    },
    Row {
        route: "/recommender/bases/{id}/changes/{change}",
        path: "/recommender/bases/HN-2026-01/changes/C1",
        who: "rec-changsha",
        body: Body::Form,
        fields: &[("decision", C("reject")), ("reason", T)],
    },
    // ---- expert ----
    Row {
        route: "/expert/applications/{id}/review",
        path: "/expert/applications/HN-2026-101/review",
        who: "expert-liu",
        body: Body::Form,
        fields: &[("score", N("85")), ("conclusion", C("recommend")), ("comments", T)],
    },
    Row {
        route: "/expert/applications/{id}/conflict",
        path: "/expert/applications/HN-2026-101/conflict",
        who: "expert-liu",
        body: Body::Form,
        fields: &[("reason", T)],
    },
    // ---- department ----
    Row {
        route: "/dept/rounds",
        path: "/dept/rounds",
        who: "hn-dept",
        body: Body::Form,
        fields: &[
            ("id", T),
            ("policy", C("hunan-2026")),
            ("title", T),
            ("opens_on", N("2027-01-01")),
            ("closes_on", N("2027-03-01")),
        ],
    },
    // 双随机、一公开: every field of the draw form bad; nothing is previewed or drawn.
    Row {
        route: "/dept/draws",
        path: "/dept/draws",
        who: "hn-dept",
        body: Body::Form,
        fields: &[
            ("id", T),
            ("policy", C("hunan-2026")),
            ("purpose", C("evaluation")),
            ("year", N("2026")),
            ("share", N("0.2")),
            ("strata", C("none")),
            ("inspectors_per_base", N("2")),
            ("seed", T),
        ],
    },
    // 后补助 (湖北第二十五条): every field of the award form bad; nothing is previewed or awarded.
    Row {
        route: "/dept/subsidies",
        path: "/dept/subsidies",
        who: "hb-dept",
        body: Body::Form,
        fields: &[
            ("policy", C("hubei-2022")),
            ("year", N("2026")),
            ("document_number", T),
            ("issued_on", N("2026-11-20")),
            ("pick", C("HB-2023-01")),
            ("amount_HB-2023-01", N("50")),
        ],
    },
    // 公文: a bad 文号 or 成文日期 on the issue form of a notice's and a base's document; nothing is
    // previewed, typeset or issued.
    Row {
        route: "/dept/notices/{id}/documents/{kind}",
        path: "/dept/notices/HN-GS-2026-2/documents/public_notice",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("number", T), ("issued_on", N("2026-11-20"))],
    },
    Row {
        route: "/dept/bases/{id}/documents/{kind}",
        path: "/dept/bases/HN-2026-01/documents/recognition_notice",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("number", T), ("issued_on", N("2026-11-20"))],
    },
    // 推荐申报国家级基地: every field of the recommendation and of the outcome bad; nothing is
    // previewed or recorded.
    Row {
        route: "/dept/national/recommend",
        path: "/dept/national/recommend",
        who: "hn-dept",
        body: Body::Form,
        fields: &[
            ("policy", C("hunan-2026")),
            ("year", N("2026")),
            ("document", T),
            ("recommended_on", N("2026-11-20")),
            ("base", T),
        ],
    },
    Row {
        route: "/dept/national/outcome",
        path: "/dept/national/outcome",
        who: "hn-dept",
        body: Body::Form,
        fields: &[
            ("base", T),
            ("year", N("2026")),
            ("outcome", C("not_recognised")),
            ("outcome_document", T),
            ("effective_on", N("2026-11-20")),
        ],
    },
    // The demo has no draw: whatever is posted, the draw is not found.
    Row {
        route: "/dept/draws/{id}/results",
        path: "/dept/draws/NO-SUCH-DRAW/results",
        who: "hn-dept",
        body: Body::Button(&[404]),
        fields: &[],
    },
    Row {
        route: "/dept/rounds/{id}/close",
        path: "/dept/rounds/R-NONE/close",
        who: "hn-dept",
        body: Body::Button(&[404]),
        fields: &[],
    },
    Row {
        route: "/dept/applications/{id}/experts",
        path: "/dept/applications/HN-2026-101/experts",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("expert_id", T)],
    },
    // 评审专家随机抽取 on HN-2026-101, which is named and has no drawn panel.
    Row {
        route: "/dept/applications/{id}/panel",
        path: "/dept/applications/HN-2026-101/panel",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("seed", T), ("size", N("3"))],
    },
    Row {
        route: "/dept/applications/{id}/panel/decline",
        path: "/dept/applications/HN-2026-101/panel/decline",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("expert", T), ("reason", T), ("confirmed", K("yes"))],
    },
    Row {
        route: "/dept/applications/{id}/decide",
        path: "/dept/applications/HN-2026-101/decide",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("decision", C("approve")), ("reasons", T), ("confirmed", K("yes"))],
    },
    Row {
        route: "/dept/applications/{id}/name",
        path: "/dept/applications/HN-2026-101/name",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("base_id", T), ("on", N("2026-11-20")), ("confirmed", K("yes"))],
    },
    Row {
        route: "/dept/notices",
        path: "/dept/notices",
        who: "hn-dept",
        body: Body::Form,
        fields: &[
            ("notice_id", T),
            ("applications", C("HN-2026-101")),
            ("starts_on", N("2026-11-20")),
            ("confirmed", K("yes")),
        ],
    },
    Row {
        route: "/dept/objections/{id}/resolve",
        path: "/dept/objections/HN-GS-2026-1-1/resolve",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("resolution", T), ("upheld", C("no")), ("confirmed", K("yes"))],
    },
    Row {
        route: "/dept/bases/{id}/changes/{change}",
        path: "/dept/bases/HN-2026-01/changes/C1",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("decision", C("reject")), ("reason", T)],
    },
    Row {
        route: "/dept/bases/{id}/{record}",
        path: "/dept/bases/HN-2026-01/assessment",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("year", N("2026")), ("grade", C("excellent")), ("confirmed", K("yes"))],
    },
    Row {
        route: "/dept/bases/{id}/{record}",
        path: "/dept/bases/HN-2026-01/evaluation",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("grade", C("excellent")), ("confirmed", K("yes"))],
    },
    Row {
        route: "/dept/bases/{id}/{record}",
        path: "/dept/bases/HN-2026-01/re-evaluation",
        who: "hn-dept",
        body: Body::Form,
        fields: &[("grade", C("qualified")), ("confirmed", K("yes"))],
    },
    Row {
        route: "/dept/bases/{id}/{record}",
        path: "/dept/bases/HN-2026-01/finding",
        who: "hn-dept",
        body: Body::Form,
        fields: &[
            ("finding", C("false_information")),
            ("effective_on", N("2026-11-20")),
            ("evidence", T),
            ("confirmed", K("yes")),
        ],
    },
    // 现场勘验 of a Hunan application: Hunan provides none, so valid input is refused too.
    Row {
        route: "/dept/applications/{id}/site-inspection",
        path: "/dept/applications/HN-2026-101/site-inspection",
        who: "hn-dept",
        body: Body::Form,
        fields: &[
            ("inspectors", C("expert-liu")),
            ("findings", T),
            ("confirmed", K("yes")),
        ],
    },
    Row {
        route: "/dept/carry-over",
        path: "/dept/carry-over",
        who: "hn-dept",
        body: Body::Form,
        fields: &[
            ("policy", C("hunan-2026")),
            ("base_id", T),
            ("official_name", T),
            ("unit_name", T),
            ("uscc", T),
            ("domain", T),
            ("category", C("joint_research")),
            ("director", T),
            ("partner_country", C("DE")),
            ("recognised_on", N("2017-09-01")),
            ("confirmed", K("yes")),
        ],
    },
    // A base named under the regulation, never carried over: valid input is refused too.
    Row {
        route: "/dept/bases/{id}/reclassify",
        path: "/dept/bases/HN-2026-01/reclassify",
        who: "hn-dept",
        body: Body::Form,
        fields: &[
            ("category", C("technology_transfer")),
            ("reasons", T),
            ("confirmed", K("yes")),
        ],
    },
];

/// `(METHOD, path)` of every page route taking POST, from the router's source (as the
/// permission matrix enumerates them), outside the API.
fn page_post_routes() -> BTreeSet<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(root)];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if !p.ends_with("api") {
                    dirs.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut out = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            !text.contains(".nest(") && !text.contains(".nest_service(") && !text.contains(".route_service("),
            "{}: nested routers are not enumerated by this test",
            f.display()
        );
        let mut rest = text.as_str();
        while let Some(i) = rest.find(".route(") {
            rest = &rest[i + ".route(".len()..];
            let Some(lit) = rest.trim_start().strip_prefix('"') else {
                continue;
            };
            let path = &lit[..lit.find('"').unwrap()];
            let mut depth = 1;
            let mut end = 0;
            for (k, ch) in rest.char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = k;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let args = &rest[..end];
            let post = args
                .match_indices("post(")
                .any(|(k, _)| k == 0 || !args[..k].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':'));
            if post {
                out.insert(path.to_string());
            }
        }
    }
    out
}

/// The bad-input cases.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Case {
    Empty,
    Long,
    WrongType,
    Script,
}

/// The form's fields for a case, or `None` when the case does not apply (no text field for
/// `Long`, no number or date for `WrongType`).
fn values(fields: &[(String, F)], case: Case) -> Option<Vec<(String, String)>> {
    let long = "a".repeat(5000);
    let has = |f: fn(&F) -> bool| fields.iter().any(|(_, k)| f(k));
    match case {
        Case::Long if !has(|k| matches!(k, T)) => return None,
        Case::WrongType if !has(|k| matches!(k, N(_))) => return None,
        _ => {}
    }
    Some(
        fields
            .iter()
            .map(|(name, k)| {
                let v = match (case, k) {
                    (Case::Empty, _) => String::new(),
                    (_, K(v)) => v.to_string(),
                    (Case::Script, _) => SCRIPT.to_string(),
                    (Case::Long, T) => long.clone(),
                    (Case::WrongType, T) => "测试".to_string(),
                    (Case::WrongType, N(_)) => "abc".to_string(),
                    (_, N(v) | C(v)) => v.to_string(),
                };
                (name.clone(), v)
            })
            .collect(),
    )
}

/// Number of domain events (streams outside `audit/`).
async fn domain_events(app: &TestApp) -> usize {
    let all = app.state.guohe.log().read_all(0, 1_000_000).await.unwrap();
    all.iter().filter(|e| !e.stream.starts_with("audit/")).count()
}

/// The fields of the form posting to `action` on a page: `(name, kind)`.
fn form_fields(html: &str, action: &str) -> Vec<(String, F)> {
    let key = format!("action=\"{action}\"");
    let start = html.find(&key).unwrap_or_else(|| panic!("no form to {action}"));
    let form = &html[start..start + html[start..].find("</form>").unwrap()];
    let attr = |tag: &str, a: &str| -> Option<String> {
        let k = format!(" {a}=\"");
        let i = tag.find(&k)? + k.len();
        Some(tag[i..i + tag[i..].find('"')?].to_string())
    };
    let mut out: Vec<(String, F)> = Vec::new();
    for (i, _) in form.match_indices('<') {
        let tag = &form[i..i + form[i..].find('>').unwrap_or(0)];
        let (is_input, is_other) = (
            tag.starts_with("<input"),
            tag.starts_with("<select") || tag.starts_with("<textarea"),
        );
        if !is_input && !is_other {
            continue;
        }
        let Some(name) = attr(tag, "name") else { continue };
        let ty = attr(tag, "type").unwrap_or_default();
        if matches!(name.as_str(), "_csrf" | "action" | "round" | "unit.uscc") || ty == "submit" || ty == "hidden" {
            continue;
        }
        if out.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let kind = match ty.as_str() {
            "date" => N("2026-11-20"),
            "number" => N("10"),
            "checkbox" | "radio" => C("on"),
            _ => T,
        };
        out.push((name, kind));
    }
    out
}

/// A message in Chinese saying what went wrong: the form's alert, or the error page's message.
fn has_chinese_error(body: &str) -> bool {
    let cjk = |t: &str| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    ["role=\"alert\">", "<p class=\"message\">"].iter().any(|open| {
        body.match_indices(open).any(|(i, _)| {
            let rest = &body[i + open.len()..];
            cjk(&rest[..rest.find('<').unwrap_or(rest.len())])
        })
    })
}

fn multipart(kind: &str, file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----guohe-bad-input";
    let mut body = Vec::new();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n").as_bytes());
    if let Some((name, data)) = file {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(data);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Forms whose only fields are free text: with a script in them the input is valid, and the
/// target (chosen in a state the rules refuse) answers 409.
const STATE_REFUSES_VALID_TEXT: &[&str] = &[
    "/dept/applications/{id}/panel/decline",
    "/dept/objections/{id}/resolve",
    "/expert/applications/{id}/conflict",
    "/recommender/applications/{id}/recommend",
    "/recommender/applications/{id}/return",
    "/unit/applications/{id}/withdraw",
];

#[tokio::test]
async fn every_form_refuses_bad_input_and_writes_nothing() {
    let routes = page_post_routes();
    let rows: BTreeSet<String> = FORMS.iter().map(|r| r.route.to_string()).collect();
    let missing: Vec<_> = routes.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&routes).collect();
    assert!(missing.is_empty(), "POST routes without a row: {missing:?}");
    assert!(stale.is_empty(), "rows for routes that no longer exist: {stale:?}");

    let app = demo_app().await;
    let mut people: Vec<(&str, Client<'_>)> = Vec::new();
    for r in FORMS {
        if people.iter().any(|p| p.0 == r.who) {
            continue;
        }
        let c = Client::new(&app);
        if r.who != "anonymous" {
            let s = c.login(r.who).await;
            assert_eq!(s.status, 200, "{} cannot sign in: {}", r.who, s.body);
        }
        people.push((r.who, c));
    }
    let client = |who: &str| &people.iter().find(|p| p.0 == who).unwrap().1;

    // A draft of a unit whose province has a round open.
    let unit = client("hb-ggjg");
    let token = unit.csrf().await;
    let r = unit
        .raw(
            Method::POST,
            "/unit/drafts",
            Some((
                "application/x-www-form-urlencoded",
                serde_urlencoded::to_string([("_csrf", token.as_str()), ("round", "HB-2026")]).unwrap(),
            )),
            &[],
        )
        .await;
    assert_eq!(r.status, 303, "draft: {}", r.body);
    let draft_path = r.header("location");
    let draft = draft_path.trim_start_matches("/unit/drafts/").to_string();
    let draft_page = unit.get(&draft_path).await;
    assert_eq!(draft_page.status, 200, "{}", draft_page.body);
    let draft_fields = form_fields(&draft_page.body, &draft_path);
    assert!(draft_fields.len() > 5, "draft fields: {}", draft_fields.len());

    let mut failures = Vec::new();
    let mut tried = 0;
    for row in FORMS {
        let c = client(row.who);
        let path = row.path.replace("{draft}", &draft);
        let mut fields: Vec<(String, F)> = row.fields.iter().map(|(n, k)| (n.to_string(), *k)).collect();
        if row.route == "/unit/drafts/{id}" {
            fields.extend(draft_fields.iter().cloned());
        }
        let mut cases: Vec<(String, (String, Vec<u8>))> = Vec::new();
        for case in [Case::Empty, Case::Long, Case::WrongType, Case::Script] {
            let vals = match row.body {
                Body::Button(_) => match case {
                    Case::Empty => Some(Vec::new()),
                    Case::Long => Some(vec![("x".to_string(), "a".repeat(5000))]),
                    Case::WrongType => Some(vec![("id".to_string(), "abc".to_string())]),
                    Case::Script => Some(vec![("x".to_string(), SCRIPT.to_string())]),
                },
                _ => values(&fields, case),
            };
            let Some(vals) = vals else { continue };
            let label = format!("{case:?}");
            if row.body == Body::Upload {
                let kind = vals.first().map(|v| v.1.clone()).unwrap_or_default();
                cases.push((label, multipart(&kind, None)));
            } else {
                let form = serde_urlencoded::to_string(&vals).unwrap().into_bytes();
                cases.push((label, ("form".into(), form)));
            }
        }
        if row.body == Body::Upload {
            cases.push((
                "TextNamedPdf".into(),
                multipart("cooperation_agreement", Some(("协议.pdf", b"just text, not a PDF\n"))),
            ));
            cases.push((
                "ScriptNamedPdf".into(),
                multipart(
                    "cooperation_agreement",
                    Some((
                        "<script>alert(1)</script>.pdf",
                        b"%PDF-1.4 but <script>alert(1)</script>",
                    )),
                ),
            ));
        }
        for (label, (ct, bytes)) in cases {
            tried += 1;
            let before = domain_events(&app).await;
            let token = c.csrf().await;
            let resp = if row.body == Body::Upload {
                let url = format!("{path}?_csrf={token}");
                c.raw(
                    Method::POST,
                    &url,
                    Some((&ct, String::from_utf8_lossy(&bytes).into_owned())),
                    &[],
                )
                .await
            } else {
                let mut form = format!("_csrf={token}");
                if !bytes.is_empty() {
                    form.push('&');
                    form.push_str(std::str::from_utf8(&bytes).unwrap());
                }
                c.raw(
                    Method::POST,
                    &path,
                    Some(("application/x-www-form-urlencoded", form)),
                    &[],
                )
                .await
            };
            let after = domain_events(&app).await;
            let what = format!("{} as {} ({label})", path, row.who);
            let expected: &[u16] = match row.body {
                Body::Button(s) => s,
                _ if row.route == "/login" => &[400, 401],
                // A resubmission of an application that does not exist (or is not the unit's).
                _ if row.route == "/unit/drafts" => &[400, 404],
                // The whole application form with every field at 5,000 characters is over the
                // body limit.
                _ if row.route == "/unit/drafts/{id}" => &[400, 409, 413, 422],
                // A password may hold any character, `<script>` included: it is accepted (and
                // never echoed, which is checked below).
                _ if row.route == "/admin/system/accounts/{login}/password" && label == "Script" => &[303],
                // Free text holding a script is valid text (escaped on output): it reaches the
                // rules, which refuse the chosen target's state (409), never the permission.
                _ if STATE_REFUSES_VALID_TEXT.contains(&row.route) && label == "Script" => &[409],
                // Everything else is refused as input: malformed (400) or invalid field (422),
                // never as a permission (403) or a state (409) that would hide a missing check.
                _ => &[400, 422],
            };
            // A form with a confirmation step may show it (nothing is done before it).
            let confirmation = label == "Empty" && resp.status == 200 && resp.body.contains("<title>请确认");
            let short = |b: &str| b.chars().take(300).collect::<String>();
            if !expected.contains(&resp.status) && !confirmation {
                failures.push(format!(
                    "{what}: status {} (expected {expected:?}) {}",
                    resp.status,
                    short(&resp.body)
                ));
            }
            if resp.body.contains(SCRIPT) || resp.body.contains("<script>alert") {
                failures.push(format!("{what}: the script is echoed unescaped"));
            }
            let redirect = (300..400).contains(&resp.status);
            if !redirect && !confirmation && !matches!(row.body, Body::Button(_)) && !has_chinese_error(&resp.body) {
                failures.push(format!("{what}: no message in Chinese: {}", short(&resp.body)));
            }
            if after != before {
                failures.push(format!("{what}: {} domain event(s) written", after - before));
            }
        }
    }
    assert!(tried > 90, "only {tried} submissions");
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
