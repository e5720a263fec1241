//! 双因素认证 — enrolling the second factor: `/account/2fa` shows the QR code (inline SVG) and
//! the secret, takes a code to confirm, and shows the recovery codes once. See
//! [`crate::second_factor`] for the rules.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::AppState;
use crate::error::{FieldError, WebError, WebResult};
use crate::second_factor::{self, ISSUER};
use crate::security::RequestCtx;
use crate::totp;
use crate::view::{Chrome, FormErrors, render};

/// The enrolment page.
#[derive(Template)]
#[template(path = "second_factor.html")]
pub struct SecondFactorTpl {
    /// Layout.
    pub c: Chrome,
    /// Already enrolled.
    pub enrolled: bool,
    /// Unused recovery codes (when enrolled).
    pub codes_left: i64,
    /// The secret to type by hand (while enrolling).
    pub secret: String,
    /// The `otpauth://` URI as an inline SVG QR code (while enrolling).
    pub qr_svg: String,
    /// Field errors.
    pub errors: FormErrors,
    /// Recovery codes just issued: shown once.
    pub codes: Vec<String>,
    /// Where to continue.
    pub home: String,
}

async fn page(
    ctx: &RequestCtx,
    state: &AppState,
    errors: FormErrors,
    codes: Vec<String>,
) -> WebResult<SecondFactorTpl> {
    let p = ctx.require()?;
    if !second_factor::requires_second_factor(p.role) {
        return Err(WebError::NotFound);
    }
    let enrolled = second_factor::confirmed(state, &p.account).await?.is_some();
    let (secret, qr_svg, codes_left) = if enrolled {
        (
            String::new(),
            String::new(),
            second_factor::recovery_codes_left(state, &p.account).await?,
        )
    } else {
        let f = second_factor::pending_secret(state, &p.account).await?;
        let svg = totp::qr_svg(&totp::otpauth_uri(ISSUER, &p.account, &f.secret)).map_err(WebError::Internal)?;
        (f.secret, svg, 0)
    };
    Ok(SecondFactorTpl {
        c: ctx.chrome("/account"),
        enrolled,
        codes_left,
        secret,
        qr_svg,
        errors,
        codes,
        home: p.home().to_string(),
    })
}

/// `GET /account/2fa`.
pub async fn enrol_form(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    render(&page(&ctx, &state, FormErrors::new(ctx.lang), Vec::new()).await?)
}

/// The confirming code.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EnrolForm {
    /// A code from the authenticator.
    pub code: String,
}

/// `POST /account/2fa` — confirms the enrolment with a code; shows the recovery codes once.
pub async fn enrol(ctx: RequestCtx, State(state): State<AppState>, Form(f): Form<EnrolForm>) -> WebResult<Response> {
    let p = ctx.require()?.clone();
    if !second_factor::requires_second_factor(p.role) {
        return Err(WebError::NotFound);
    }
    if second_factor::confirmed(&state, &p.account).await?.is_some() {
        return Err(WebError::Conflict {
            zh: "本账号已启用动态口令。".into(),
            en: "One-time codes are already on for this account.".into(),
        });
    }
    let code = f.code.trim();
    let mut errors = FormErrors::new(ctx.lang);
    if code.len() != totp::DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError::new(
            "code",
            "请输入身份验证器显示的6位数字。",
            "Enter the 6 digits your authenticator shows.",
        ));
    } else {
        match second_factor::confirm(&state, &ctx, &p.account, code).await? {
            Some(codes) => return render(&page(&ctx, &state, FormErrors::new(ctx.lang), codes).await?),
            None => errors.push(FieldError::new(
                "code",
                "动态口令不正确或已过期，请输入应用当前显示的口令（并确认手机时间准确）。",
                "The code is wrong or expired; enter the one the app shows now (and check the phone's clock).",
            )),
        }
    }
    let mut resp = render(&page(&ctx, &state, errors, Vec::new()).await?)?;
    *resp.status_mut() = StatusCode::BAD_REQUEST;
    Ok(resp)
}
