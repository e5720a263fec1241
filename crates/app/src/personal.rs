//! 个人信息 — personal information in the application service: objectors' names and contacts are
//! sealed before a command reaches the domain; accounts' phone, e-mail and ID number are kept
//! sealed in their own table; a person's data can be exported and erased, and the master key
//! rotated — each of these audited on the chain (without the values).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use guohe_domain::{LodgeObjection, Refusal};
use guohe_keys::{KeyError, PendingSubject, Revealed, Rotation, Subject, Token, Vault, mask};
use serde::Serialize;

use crate::{AppError, Guohe};

/// A personal field of an account (账号个人信息).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountField {
    /// 手机号码.
    Phone,
    /// 电子邮箱.
    Email,
    /// 身份证号.
    IdNumber,
}

impl AccountField {
    /// Every field, in display order.
    pub const ALL: [AccountField; 3] = [AccountField::Phone, AccountField::Email, AccountField::IdNumber];

    /// The stored code (also the form field's name).
    pub fn as_str(self) -> &'static str {
        match self {
            AccountField::Phone => "phone",
            AccountField::Email => "email",
            AccountField::IdNumber => "id_number",
        }
    }

    /// Parses the stored code.
    pub fn parse(code: &str) -> Option<AccountField> {
        AccountField::ALL.into_iter().find(|f| f.as_str() == code)
    }

    /// The label: (Chinese, English).
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            AccountField::Phone => ("手机号码", "Mobile phone"),
            AccountField::Email => ("电子邮箱", "E-mail"),
            AccountField::IdNumber => ("身份证号", "ID number"),
        }
    }

    /// The value as those who do not need it see it (138****1234).
    pub fn mask(self, v: &str) -> String {
        match self {
            AccountField::Phone => mask::phone(v),
            AccountField::Email => mask::email(v),
            AccountField::IdNumber => mask::id_number(v),
        }
    }

    /// Checks a value; returns it trimmed. A refusal names the field, in Chinese and English.
    pub fn validate(self, v: &str) -> Result<String, Refusal> {
        let v = v.trim();
        let f = self.as_str();
        match self {
            AccountField::Phone => {
                let b = v.as_bytes();
                let ok =
                    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit);
                if !ok {
                    return Err(Refusal::invalid(
                        f,
                        "手机号码应为11位数字，以13至19开头，如 13812341234",
                        "a mobile number is 11 digits starting 13 to 19, e.g. 13812341234",
                    ));
                }
            }
            AccountField::Email => {
                let ok = v.len() <= 254
                    && v.split_once('@').is_some_and(|(local, domain)| {
                        !local.is_empty()
                            && !domain.contains('@')
                            && domain.contains('.')
                            && !domain.starts_with('.')
                            && !domain.ends_with('.')
                            && !domain.contains("..")
                    })
                    && v.chars().all(|c| c.is_ascii_graphic() && !"<>()[],;:\\\"".contains(c));
                if !ok {
                    return Err(Refusal::invalid(
                        f,
                        "电子邮箱格式不正确，如 zhang@example.cn",
                        "not an e-mail address, e.g. zhang@example.cn",
                    ));
                }
            }
            AccountField::IdNumber => {
                if !id_number_ok(v) {
                    return Err(Refusal::invalid(
                        f,
                        "身份证号应为18位，末位为数字或X，且校验码正确",
                        "an ID number is 18 characters, the last a digit or X, with a valid check digit",
                    ));
                }
            }
        }
        Ok(v.to_string())
    }
}

/// GB 11643: 17 digits and an ISO 7064 MOD 11-2 check character.
fn id_number_ok(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17].iter().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    b[17].to_ascii_uppercase() == check
}

/// One personal value held for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonalRecord {
    /// Where it is held, e.g. `notice/HN-GS-2026-1 objection HN-GS-2026-1-1` or `account zhang`.
    pub source: String,
    /// The field, e.g. `objector_real_name`, `phone`.
    pub field: String,
    /// The value, decrypted.
    pub value: String,
}

/// A person's data, on request (个人信息查阅、复制).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonExport {
    /// The subject.
    pub subject: String,
    /// `objector`, `account`, …
    pub kind: String,
    /// `live` or `erased`.
    pub status: &'static str,
    /// When the person's key was made.
    pub created_at: DateTime<Utc>,
    /// When it was erased.
    pub erased_at: Option<DateTime<Utc>>,
    /// The values (none once erased).
    pub records: Vec<PersonalRecord>,
}

/// The subject a stored value belongs to, if it is a token.
pub fn subject_of(stored: &str) -> Option<String> {
    Token::parse(stored).ok().map(|t| t.subject.to_string())
}

impl Guohe {
    /// The personal-data keys.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// Seals an objection's real name and contact under a new objector's data key (stored by
    /// the caller once the domain accepted the command).
    pub(crate) fn seal_objection(&self, c: LodgeObjection) -> Result<(LodgeObjection, PendingSubject), AppError> {
        let p = self.vault.pending(Subject::new_objector()?)?;
        let c = LodgeObjection {
            objector_real_name: p.seal(c.objector_real_name.trim())?,
            contact: p.seal(c.contact.trim())?,
            ..c
        };
        Ok((c, p))
    }

    /// Opens a stored personal value (a token, or plaintext from before encryption).
    pub async fn reveal(&self, stored: &str) -> Result<Revealed, AppError> {
        Ok(self.vault.reveal(stored).await?)
    }

    /// Sets (or, with an empty value, clears) a personal field of an account, validated and
    /// sealed under the account's data key; audited without the value.
    pub async fn set_account_field(
        &self,
        login: &str,
        field: AccountField,
        value: &str,
        by: &str,
        on: NaiveDate,
    ) -> Result<(), AppError> {
        let store = self.vault.store();
        if value.trim().is_empty() {
            store.clear_account_field(login, field.as_str()).await?;
        } else {
            let v = field.validate(value).map_err(AppError::Refused)?;
            let token = match self.vault.seal(&Subject::account(login)?, &v).await {
                Ok(t) => t,
                // An erased person stays erased: their old tokens must never meet a new key.
                Err(KeyError::Erased(_)) => {
                    return Err(AppError::Refused(Refusal::invalid(
                        field.as_str(),
                        "该账号的个人信息已按删除请求删除，不能再保存新的个人信息",
                        "this account's personal data was erased on request; no new personal data can be stored for it",
                    )));
                }
                Err(e) => return Err(e.into()),
            };
            store
                .set_account_field(login, field.as_str(), &token, Utc::now())
                .await?;
        }
        self.audit(
            on,
            by,
            "AccountPersonalDataChanged",
            serde_json::json!({"login": login, "field": field.as_str(), "cleared": value.trim().is_empty()}),
        )
        .await?;
        Ok(())
    }

    /// The personal fields an account has set, revealed.
    pub async fn account_fields(&self, login: &str) -> Result<Vec<(AccountField, Revealed)>, AppError> {
        let mut out = Vec::new();
        for (field, token) in self.vault.store().account_fields(login).await? {
            if let Some(f) = AccountField::parse(&field) {
                out.push((f, self.vault.reveal(&token).await?));
            }
        }
        Ok(out)
    }

    /// The account's e-mail address (电子邮箱), the one reminders are mailed to: `None` when
    /// none is set or the person's data was erased. The only address an account has: mail
    /// reads it here, so it is never kept in plaintext anywhere else.
    pub async fn account_email(&self, login: &str) -> Result<Option<String>, AppError> {
        let field = AccountField::Email.as_str();
        let stored = self.vault.store().account_fields(login).await?;
        let Some((_, token)) = stored.into_iter().find(|(f, _)| f == field) else {
            return Ok(None);
        };
        Ok(match self.vault.reveal(&token).await? {
            Revealed::Value(v) => Some(v),
            Revealed::Erased => None,
        })
    }

    /// The logins among `logins` that have an e-mail address to mail to: the field is set and,
    /// when it is sealed, its person's data key is held (an erased person has none). What
    /// [`Guohe::account_email`] would find, for many accounts in a few queries and without
    /// decrypting: the notifier asks it of every recipient of a day's reminders, and reads the
    /// address itself only when the mail goes out.
    pub async fn logins_with_email<S: AsRef<str>>(&self, logins: &[S]) -> Result<BTreeSet<String>, AppError> {
        let store = self.vault.store();
        let set = store.field_of_accounts(AccountField::Email.as_str(), logins).await?;
        let mut with = BTreeSet::new();
        let mut sealed: Vec<(String, String)> = Vec::new();
        for (login, stored) in set {
            if !Token::is_token(&stored) {
                // A value from before encryption is the address itself.
                if !stored.trim().is_empty() {
                    with.insert(login);
                }
                continue;
            }
            match Token::parse(&stored) {
                Ok(t) => sealed.push((login, t.subject.to_string())),
                Err(e) => return Err(e.into()),
            }
        }
        let subjects: Vec<&str> = sealed.iter().map(|(_, s)| s.as_str()).collect();
        let live = store.live_subjects(&subjects).await?;
        with.extend(
            sealed
                .into_iter()
                .filter(|(_, subject)| live.contains(subject))
                .map(|(login, _)| login),
        );
        Ok(with)
    }

    /// Everything held for a person, decrypted; `None` for a subject that never had a key. An
    /// erased person's export has no records. Audited.
    pub async fn export_person(
        &self,
        subject: &str,
        by: &str,
        on: NaiveDate,
    ) -> Result<Option<PersonExport>, AppError> {
        let subject = Subject::parse(subject)?;
        let Some(row) = self.vault.subject(&subject).await? else {
            return Ok(None);
        };
        let mut records = Vec::new();
        if row.erased_at.is_none() {
            let mut found: Vec<(String, String, String)> = self
                .read(|w, _, _| {
                    let mut out = Vec::new();
                    for n in w.notices() {
                        for o in n.objections.values() {
                            for (field, v) in [("objector_real_name", &o.objector_real_name), ("contact", &o.contact)] {
                                if subject_of(v).as_deref() == Some(subject.as_str()) {
                                    out.push((
                                        format!("notice/{} objection {}", n.id, o.id),
                                        field.to_string(),
                                        v.clone(),
                                    ));
                                }
                            }
                        }
                    }
                    out
                })
                .await;
            if let Some(login) = subject.as_str().strip_prefix("account/") {
                for (field, token) in self.vault.store().account_fields(login).await? {
                    found.push((format!("account {login}"), field, token));
                }
            }
            found.sort();
            for (source, field, token) in found {
                if let Revealed::Value(value) = self.vault.reveal(&token).await? {
                    records.push(PersonalRecord { source, field, value });
                }
            }
        }
        self.audit(
            on,
            by,
            "PersonalDataExported",
            serde_json::json!({"subject": subject.as_str(), "records": records.len()}),
        )
        .await?;
        Ok(Some(PersonExport {
            subject: row.subject,
            kind: row.kind,
            status: if row.erased_at.is_some() { "erased" } else { "live" },
            created_at: row.created_at,
            erased_at: row.erased_at,
            records,
        }))
    }

    /// Erases a person's data key (删除个人信息): every token of theirs — on the chain and in
    /// tables — becomes unreadable for good, and the chain still verifies. Returns false for an
    /// unknown or already erased subject. Audited.
    pub async fn erase_person(&self, subject: &str, by: &str, on: NaiveDate) -> Result<bool, AppError> {
        let subject = Subject::parse(subject)?;
        let erased = self.vault.erase(&subject).await?;
        if erased {
            self.audit(
                on,
                by,
                "PersonalDataErased",
                serde_json::json!({"subject": subject.as_str()}),
            )
            .await?;
        }
        Ok(erased)
    }

    /// Rotates the master key (new version in the key file, data keys rewrapped); audited.
    pub async fn rotate_keys(&self, by: &str, on: NaiveDate) -> Result<Rotation, AppError> {
        let r = self.vault.rotate().await?;
        self.audit(
            on,
            by,
            "MasterKeyRotated",
            serde_json::json!({"from_version": r.from_version, "to_version": r.to_version, "rewrapped": r.rewrapped}),
        )
        .await?;
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_fields_are_validated() {
        assert_eq!(AccountField::Phone.validate(" 13812341234 ").unwrap(), "13812341234");
        for bad in ["12812341234", "1381234123", "138123412345", "1381234123a", ""] {
            let r = AccountField::Phone.validate(bad).unwrap_err();
            assert_eq!(r.field.as_deref(), Some("phone"), "{bad}");
        }
        assert!(AccountField::Email.validate("zhang.san@example.cn").is_ok());
        for bad in [
            "zhang",
            "@example.cn",
            "a@b",
            "a@.cn",
            "a@b.cn.",
            "a b@c.cn",
            "a@b@c.cn",
            "<a>@b.cn",
        ] {
            assert!(AccountField::Email.validate(bad).is_err(), "{bad}");
        }
        assert!(AccountField::IdNumber.validate("11010519491231002X").is_ok());
        assert!(
            AccountField::IdNumber.validate("110105194912310021").is_err(),
            "wrong check digit"
        );
        assert!(AccountField::IdNumber.validate("11010519491231002").is_err());
        assert_eq!(AccountField::Phone.mask("13812341234"), "138****1234");
    }
}
