//! The one shape every command error takes on its way to the front end: `{kind, message}`.
//! `kind` is stable and machine-readable, so the UI can react to it and translate it;
//! `message` is the core's sentence a user can act on, shown when there is no translation.

use serde::Serialize;

/// An error as the front end receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CmdError {
    /// The core's `Error::kind()`, or one of the shell's own kinds below.
    pub kind: &'static str,
    /// What happened and what to do.
    pub message: String,
}

impl CmdError {
    /// A command that needs an unlocked vault was called while it is locked.
    pub fn locked() -> Self {
        Self {
            kind: "locked",
            message: "the vault is locked: unlock it first".into(),
        }
    }

    /// Create or unlock was called while a vault is already open.
    pub fn already_unlocked() -> Self {
        Self {
            kind: "already_unlocked",
            message: "the vault is already unlocked; lock it first".into(),
        }
    }

    /// Neither `AIGAQ_VAULT` nor a user data folder is available.
    pub fn no_vault_folder() -> Self {
        Self {
            kind: "no_vault_folder",
            message: "no folder for the vault: this system has no user data folder; set AIGAQ_VAULT to the vault's folder".into(),
        }
    }

    /// The front end sent something that is not what the command takes.
    pub fn bad_request(what: impl std::fmt::Display) -> Self {
        Self {
            kind: "invalid_input",
            message: what.to_string(),
        }
    }

    /// The system failed at something the shell does itself (saving the settings, the
    /// clipboard).
    pub fn system(what: impl std::fmt::Display) -> Self {
        Self {
            kind: "system",
            message: what.to_string(),
        }
    }

    /// Background work ended without a result (it panicked or was cancelled).
    pub fn interrupted() -> Self {
        Self {
            kind: "system",
            message: "the operation was interrupted; nothing was changed, try again".into(),
        }
    }
}

impl From<aigaq::Error> for CmdError {
    fn from(e: aigaq::Error) -> Self {
        Self {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

impl From<aigaq::vault::VaultError> for CmdError {
    fn from(e: aigaq::vault::VaultError) -> Self {
        aigaq::Error::from(e).into()
    }
}

impl From<aigaq::store::StoreError> for CmdError {
    fn from(e: aigaq::store::StoreError) -> Self {
        aigaq::Error::from(e).into()
    }
}

impl From<aigaq::model::InputError> for CmdError {
    fn from(e: aigaq::model::InputError) -> Self {
        aigaq::Error::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aigaq::vault::VaultError;

    #[test]
    fn core_errors_keep_their_kind_and_message() {
        let e = CmdError::from(VaultError::WrongPassphrase);
        assert_eq!(e.kind, "wrong_passphrase");
        assert_eq!(
            e.message,
            "wrong passphrase: the vault did not open; each failed attempt makes the next one wait longer"
        );
        let e = CmdError::from(VaultError::PassphraseTooShort { min: 8 });
        assert_eq!(e.kind, "weak_passphrase");
        assert!(e.message.contains("at least 8 characters"), "{}", e.message);
    }

    #[test]
    fn errors_serialise_as_kind_and_message_only() {
        let json = serde_json::to_value(CmdError::from(VaultError::EmptyPassphrase)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "weak_passphrase",
                "message": "the passphrase is empty; type one, or give a file that holds it",
            })
        );
    }

    #[test]
    fn invalid_quick_entries_come_back_as_invalid_input() {
        let entry = |narrative: &str, identity: &str| aigaq::model::QuickEntry {
            narrative: narrative.into(),
            identity: identity.into(),
            interview_date: String::new(),
            interview_place: String::new(),
            share_with: Vec::new(),
        };
        for (bad, field) in [
            (entry("  ", "anonymous"), "narrative"),
            (entry("I saw it.", "somebody"), "identity"),
        ] {
            let e = CmdError::from(bad.into_testimony().unwrap_err());
            assert_eq!(e.kind, "invalid_input");
            assert!(e.message.contains(field), "{}", e.message);
        }
    }
}
