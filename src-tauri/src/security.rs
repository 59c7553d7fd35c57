//! The vault's security settings: wipe after N failed unlocks, and the duress passphrase
//! with its decoy. Every change first checks the current passphrase (the core's
//! `Vault::check_passphrase`), on a blocking thread since that is a full key derivation.

use aigaq::model::QuickEntry;
use aigaq::model::Testimony;
use aigaq::vault::{Passphrase, SecuritySettings};
use aigaq::Vault;
use tauri::State;

use crate::error::CmdError;
use crate::state::Session;

/// Most decoy testimonies typed in the settings screen.
pub const MAX_DECOYS: usize = 20;

/// Runs `f` on the open vault once `passphrase` proved to be its current passphrase. A wrong
/// one changes nothing and comes back as `wrong_passphrase`.
async fn with_current_passphrase<T, F>(
    session: &Session,
    passphrase: String,
    f: F,
) -> Result<T, CmdError>
where
    T: Send + 'static,
    F: FnOnce(&mut Vault) -> Result<T, CmdError> + Send + 'static,
{
    let passphrase = Passphrase::new(passphrase)?;
    session
        .with_blocking(move |vault| {
            vault.check_passphrase(&passphrase)?;
            f(vault)
        })
        .await
}

/// Checks that `passphrase` is the open vault's, for a setting kept outside the vault.
pub async fn check_current_passphrase(
    session: &Session,
    passphrase: String,
) -> Result<(), CmdError> {
    with_current_passphrase(session, passphrase, |_| Ok(())).await
}

/// The decoy testimonies as the settings screen's short forms send them.
fn decoys(entries: Vec<serde_json::Value>) -> Result<Vec<Testimony>, CmdError> {
    if entries.len() > MAX_DECOYS {
        return Err(CmdError::bad_request(format!(
            "decoys: {} decoy testimonies; type at most {MAX_DECOYS} here",
            entries.len()
        )));
    }
    entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let entry: QuickEntry = serde_json::from_value(entry)
                .map_err(|e| CmdError::bad_request(format!("decoy {}: {e}", i + 1)))?;
            entry.into_testimony().map_err(|e| {
                let e = CmdError::from(e);
                CmdError::bad_request(format!("decoy {}: {}", i + 1, e.message))
            })
        })
        .collect()
}

/// The open vault's security settings.
#[tauri::command]
pub async fn security_settings(session: State<'_, Session>) -> Result<SecuritySettings, CmdError> {
    session.with(|vault| Ok(vault.security()?))
}

/// Makes the vault wipe itself after `limit` failed unlocks in a row (`None`: never).
#[tauri::command]
pub async fn set_wipe_after(
    passphrase: String,
    limit: Option<u32>,
    session: State<'_, Session>,
) -> Result<SecuritySettings, CmdError> {
    if limit == Some(0) {
        return Err(aigaq::vault::VaultError::BadWipeAfter.into());
    }
    with_current_passphrase(&session, passphrase, move |vault| {
        vault.set_wipe_after(limit)?;
        Ok(vault.security()?)
    })
    .await
}

/// Sets (or replaces) the duress passphrase, with a decoy vault holding `decoys` (which may
/// be none: an empty-looking vault).
#[tauri::command]
pub async fn set_duress(
    passphrase: String,
    duress: String,
    decoys: Vec<serde_json::Value>,
    session: State<'_, Session>,
) -> Result<SecuritySettings, CmdError> {
    let decoys = self::decoys(decoys)?;
    let duress = Passphrase::new(duress)?;
    with_current_passphrase(&session, passphrase, move |vault| {
        vault.set_duress(&duress, &decoys)?;
        Ok(vault.security()?)
    })
    .await
}

/// Removes the duress passphrase and its decoy.
#[tauri::command]
pub async fn clear_duress(
    passphrase: String,
    session: State<'_, Session>,
) -> Result<SecuritySettings, CmdError> {
    with_current_passphrase(&session, passphrase, |vault| {
        vault.clear_duress()?;
        Ok(vault.security()?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use aigaq::vault::KdfParams;
    use serde_json::json;

    const PASS: &str = "unit test passphrase";

    fn session_in(dir: &std::path::Path) -> Session {
        let pass = Passphrase::new(PASS.into()).unwrap();
        let vault = Vault::init(dir, &pass, KdfParams::new(1, 1).unwrap()).unwrap();
        let session = Session::default();
        session.open(vault).unwrap();
        session
    }

    fn block<T>(f: impl std::future::Future<Output = T>) -> T {
        tauri::async_runtime::block_on(f)
    }

    #[test]
    fn a_security_change_needs_the_current_passphrase() {
        let scratch = tempfile::tempdir().unwrap();
        let session = session_in(&scratch.path().join("vault"));
        let change = |pass: &str, limit| {
            let pass = pass.to_owned();
            block(with_current_passphrase(&session, pass, move |v| {
                v.set_wipe_after(limit)?;
                Ok(v.security()?)
            }))
        };
        let wrong = change("not the passphrase", Some(3)).unwrap_err();
        assert_eq!(wrong.kind, "wrong_passphrase");
        assert_eq!(change("", Some(3)).unwrap_err().kind, "weak_passphrase");
        let now = session.with(|v| Ok(v.security()?)).unwrap();
        assert_eq!(now.wipe_after, None, "changed without the passphrase");

        assert_eq!(change(PASS, Some(3)).unwrap().wipe_after, Some(3));
        assert_eq!(change(PASS, None).unwrap().wipe_after, None);
        assert!(block(check_current_passphrase(&session, PASS.into())).is_ok());
        session.close();
        let locked = block(check_current_passphrase(&session, PASS.into())).unwrap_err();
        assert_eq!(locked.kind, "locked");
    }

    #[test]
    fn decoys_are_checked_like_any_testimony_and_named_by_number() {
        let ok = json!({"narrative": "A quiet day.", "identity": "anonymous"});
        assert_eq!(decoys(vec![ok.clone(), ok.clone()]).unwrap().len(), 2);
        assert!(decoys(vec![]).unwrap().is_empty());

        let empty = json!({"narrative": " ", "identity": "anonymous"});
        let e = decoys(vec![ok.clone(), empty]).unwrap_err();
        assert_eq!(e.kind, "invalid_input");
        assert!(e.message.starts_with("decoy 2: "), "{}", e.message);
        assert!(e.message.contains("narrative"), "{}", e.message);

        let unknown = json!({"narrative": "x", "identity": "anonymous", "name": "x"});
        assert!(decoys(vec![unknown])
            .unwrap_err()
            .message
            .starts_with("decoy 1: "));
        let many = vec![ok; MAX_DECOYS + 1];
        assert_eq!(decoys(many).unwrap_err().kind, "invalid_input");
    }
}
