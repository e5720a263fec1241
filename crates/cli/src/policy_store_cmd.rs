//! `guohe policy load FILE` / `guohe policy unload ID` — stored policies: each load or unload is
//! an audited event on the chain (stream `policy/<id>`, with the text's SM3 hash), after which
//! every server and command uses the stored policy without `--policy-file`.

use std::path::Path;

use guohe_app::stored_policy::{Loaded, PolicyStoreError};
use guohe_policy::load;

use crate::lifecycle_cmd::{open, runtime, today};
use crate::{Cli, CmdResult, Failure, bad};

fn failure(e: PolicyStoreError) -> Failure {
    if e.is_bad_input() {
        bad(format!("{}\n{e}", e.message_zh()))
    } else {
        Failure::Other(anyhow::anyhow!("{}\n{e}", e.message_zh()))
    }
}

/// Validates the file, then records it; prints the id and SM3 hash.
pub fn load(cli: &Cli, file: &Path, replace: bool, actor: &str) -> CmdResult {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| bad(format!("FILE: 无法读取 cannot read {name}: {e}")))?;
    // Checked before the database is opened, so an invalid file leaves nothing behind.
    load::from_yaml(&text, &name).map_err(|e| failure(PolicyStoreError::Invalid(e)))?;
    runtime()?.block_on(async {
        let g = open(cli).await?;
        match g
            .load_policy(&text, &name, replace, actor, today())
            .await
            .map_err(failure)?
        {
            Loaded::Recorded { id, sm3, seq } => {
                println!("已载入办法 loaded policy {id}");
                println!("sm3 {sm3}");
                println!("审计记录 audit record #{seq} (policy/{id})");
            }
            Loaded::Unchanged { id, sm3 } => {
                println!("办法 {id} 已是此版本，未写入 already stored with this text, nothing written");
                println!("sm3 {sm3}");
            }
        }
        Ok(())
    })
}

/// Withdraws a stored policy unless a case uses it.
pub fn unload(cli: &Cli, id: &str, actor: &str) -> CmdResult {
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let seq = g.unload_policy(id, actor, today()).await.map_err(failure)?;
        println!("已卸载办法 unloaded policy {id}");
        println!("审计记录 audit record #{seq} (policy/{id})");
        Ok(())
    })
}
