//! `guohe key rotate` and `guohe person list|export|erase` — the master key of personal data and
//! a person's requests under the personal information law (查阅、复制、删除). Each is audited on the
//! chain, without the values.

use std::collections::BTreeMap;

use clap::{Args, Subcommand};
use guohe_app::personal::subject_of;

use crate::lifecycle_cmd::{app_failure, open, runtime, today};
use crate::output::print_json;
use crate::{Cli, CmdResult, bad};

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Where the key file is, the master key version in use, how many persons have a key, and
    /// the SM2 signing keys' public keys.
    Status,
    /// Add an SM2 signing key to the key file (checkpoints, verification statements) and print
    /// its public key; a key of the same name gets the next version.
    AddSigningKey(SigningKeyArgs),
    /// Make a new master key version, rewrap every person's data key under it, then drop the
    /// old version from the key file. Personal data and the chain are unchanged.
    Rotate(ByArgs),
}

#[derive(Subcommand, Debug)]
pub enum PersonCommand {
    /// The subjects (persons) with a data key: id, kind, live or erased.
    List,
    /// Print everything held for a person, decrypted, as JSON.
    Export(SubjectArgs),
    /// Erase a person's data key: their data can never be read again; the chain still verifies.
    Erase(EraseArgs),
}

#[derive(Args, Debug)]
pub struct SigningKeyArgs {
    /// What the key signs: `checkpoint-signing` (checkpoints of the chain) or
    /// `verification-signing` (verification statements, `guohe verify` and `/api/v1/verify`).
    #[arg(long, default_value = guohe_keys::signing::CHECKPOINT_SIGNING)]
    pub name: String,
    #[command(flatten)]
    pub by: ByArgs,
}

#[derive(Args, Debug)]
pub struct ByArgs {
    /// Who does it, for the audit record.
    #[arg(long = "as", default_value = "admin:cli")]
    pub actor: String,
}

#[derive(Args, Debug)]
pub struct SubjectArgs {
    /// The subject, e.g. `objector/3f9a0c…` or `account/zhang`.
    pub subject: String,
    #[command(flatten)]
    pub by: ByArgs,
}

#[derive(Args, Debug)]
pub struct EraseArgs {
    #[command(flatten)]
    pub subject: SubjectArgs,
    /// Confirm: erasure cannot be undone.
    #[arg(long)]
    pub yes: bool,
}

pub fn run_key(cli: &Cli, cmd: &KeyCommand) -> CmdResult {
    let by = match cmd {
        KeyCommand::Status => return run_status(cli),
        KeyCommand::AddSigningKey(a) => return run_add_signing_key(cli, a),
        KeyCommand::Rotate(by) => by,
    };
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let r = g.rotate_keys(&by.actor, today()).await.map_err(app_failure)?;
        println!(
            "主密钥已轮换：第 {} 版 → 第 {} 版，重新封装 {} 个个人数据密钥；密钥文件 {}",
            r.from_version,
            r.to_version,
            r.rewrapped,
            r.key_file.display()
        );
        println!(
            "master key rotated: version {} -> {}, {} data keys rewrapped; key file {}",
            r.from_version,
            r.to_version,
            r.rewrapped,
            r.key_file.display()
        );
        Ok(())
    })
}

fn run_add_signing_key(cli: &Cli, a: &SigningKeyArgs) -> CmdResult {
    if a.name.is_empty() || !a.name.chars().all(|c| c.is_ascii_lowercase() || c == '-') || a.name == "pii-master" {
        return Err(bad(format!(
            "--name: 名称为小写字母和连字符，且不能是 pii-master lower-case letters and hyphens, not pii-master: `{}`",
            a.name
        )));
    }
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let s = g.vault().add_signer(&a.name).map_err(|e| app_failure(e.into()))?;
        g.audit(
            today(),
            &a.by.actor,
            "SigningKeyAdded",
            serde_json::json!({"name": s.name(), "version": s.version(), "public_key": s.public_key_hex()}),
        )
        .await
        .map_err(app_failure)?;
        println!(
            "已添加 SM2 签名密钥 added SM2 signing key {} version {}",
            s.name(),
            s.version()
        );
        println!("public key: {}", s.public_key_hex());
        Ok(())
    })
}

fn run_status(cli: &Cli) -> CmdResult {
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let rows = g.vault().store().subjects().await.map_err(|e| app_failure(e.into()))?;
        let erased = rows.iter().filter(|r| r.erased_at.is_some()).count();
        let file = g
            .vault()
            .key_file()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(in memory)".into());
        println!("密钥文件 key file: {file}");
        println!("主密钥版本 master key version: {}", g.vault().master_version());
        println!("个人信息主体 subjects: {} ({} erased 已删除)", rows.len(), erased);
        for name in [
            guohe_keys::signing::CHECKPOINT_SIGNING,
            guohe_keys::signing::VERIFICATION_SIGNING,
        ] {
            let signer = g.vault().signer(name).map_err(|e| app_failure(e.into()))?;
            if let Some(s) = signer {
                println!("SM2 {} version {}: {}", s.name(), s.version(), s.public_key_hex());
            }
        }
        Ok(())
    })
}

pub fn run_person(cli: &Cli, cmd: &PersonCommand) -> CmdResult {
    runtime()?.block_on(async {
        let g = open(cli).await?;
        match cmd {
            PersonCommand::List => {
                let rows = g.vault().store().subjects().await.map_err(|e| app_failure(e.into()))?;
                // Which objection each objector made, so a request can be matched to its subject.
                let made: BTreeMap<String, Vec<String>> = g
                    .read(|w, _, _| {
                        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
                        for n in w.notices() {
                            for o in n.objections.values() {
                                if let Some(s) = subject_of(&o.objector_real_name) {
                                    m.entry(s).or_default().push(o.id.clone());
                                }
                            }
                        }
                        m
                    })
                    .await;
                for r in rows {
                    let status = if r.erased_at.is_some() { "erased" } else { "live" };
                    let refs = made.get(&r.subject).map(|v| v.join(",")).unwrap_or_default();
                    println!(
                        "{:<40} {:<10} {status:<7} {} {refs}",
                        r.subject,
                        r.kind,
                        r.created_at.format("%Y-%m-%d")
                    );
                }
                Ok(())
            }
            PersonCommand::Export(a) => {
                match g.export_person(&a.subject, &a.by.actor, today()).await.map_err(app_failure)? {
                    Some(export) => print_json(&export),
                    None => Err(bad(format!(
                        "SUBJECT: 没有主体“{0}”的个人信息 no personal data is held for `{0}`",
                        a.subject
                    ))),
                }
            }
            PersonCommand::Erase(a) => {
                let s = &a.subject;
                if !a.yes {
                    return Err(bad(format!(
                        "--yes: 删除后“{0}”的个人信息将永久无法读取，请加 --yes 确认 erasing `{0}` cannot be undone; confirm with --yes",
                        s.subject
                    )));
                }
                if g.erase_person(&s.subject, &s.by.actor, today()).await.map_err(app_failure)? {
                    println!("已删除“{0}”的个人数据密钥，其个人信息不可再读取。", s.subject);
                    println!("erased the data key of `{}`; its personal data can no longer be read", s.subject);
                    Ok(())
                } else {
                    Err(bad(format!(
                        "SUBJECT: 主体“{0}”不存在或已删除 `{0}` is unknown or already erased",
                        s.subject
                    )))
                }
            }
        }
    })
}
