//! An organisation's age X25519 key: made by `aigaq keygen`, kept by the organisation, its
//! public `age1…` recipient handed to collectors. The file is the one `age-keygen` writes,
//! so any age implementation can use it; `--protect` encrypts it with a passphrase (age's
//! scrypt recipient, as `age -p` does), armored so it stays text.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use age::secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::BundleError;
use crate::vault::Passphrase;

/// An organisation's public key as collectors list it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recipient {
    /// The name the collector gave it.
    pub name: String,
    /// `age1…`.
    pub recipient: String,
    /// Read-aloud fingerprint of the recipient, to compare on a call.
    pub fingerprint: String,
    /// When it was added.
    pub added_at: String,
}

/// The read-aloud fingerprint of an `age1…` recipient: the first 80 bits of the SHA-256 of
/// its text, as five groups of four hex digits.
pub fn recipient_fingerprint(recipient: &str) -> String {
    crate::custody::device::fingerprint(recipient.as_bytes())
}

/// Parses an `age1…` X25519 recipient.
pub fn parse_recipient(text: &str) -> Result<age::x25519::Recipient, BundleError> {
    if text
        .trim()
        .to_ascii_uppercase()
        .starts_with("AGE-SECRET-KEY-")
    {
        // Not echoed: it would end up in the terminal's scrollback and in logs.
        return Err(BundleError::SecretKeyGiven);
    }
    text.trim()
        .parse::<age::x25519::Recipient>()
        .map_err(|_| BundleError::BadRecipient {
            given: text.chars().take(80).collect(),
        })
}

/// A freshly made or loaded organisation key.
pub struct OrgKey {
    identity: age::x25519::Identity,
}

impl std::fmt::Debug for OrgKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrgKey")
            .field("recipient", &self.recipient())
            .finish_non_exhaustive()
    }
}

impl OrgKey {
    /// A new random key.
    pub fn generate() -> Self {
        Self {
            identity: age::x25519::Identity::generate(),
        }
    }

    /// The public `age1…` recipient.
    pub fn recipient(&self) -> String {
        self.identity.to_public().to_string()
    }

    /// Its fingerprint, see [`recipient_fingerprint`].
    pub fn fingerprint(&self) -> String {
        recipient_fingerprint(&self.recipient())
    }

    /// The identity, for decrypting.
    pub fn identity(&self) -> &age::x25519::Identity {
        &self.identity
    }

    /// Writes the key file (mode 0600, never over an existing file), encrypted with
    /// `protect` when given.
    pub fn write(
        &self,
        path: &Path,
        created: &str,
        protect: Option<&Passphrase>,
    ) -> Result<(), BundleError> {
        let text = Zeroizing::new(format!(
            "# created: {created}\n# public key: {}\n{}\n",
            self.recipient(),
            self.identity.to_string().expose_secret()
        ));
        let bytes: Zeroizing<Vec<u8>> = match protect {
            None => Zeroizing::new(text.as_bytes().to_vec()),
            Some(pass) => {
                let secret =
                    SecretString::from(String::from_utf8_lossy(pass.as_bytes()).into_owned());
                let enc = age::Encryptor::with_user_passphrase(secret);
                let mut out = Vec::new();
                let io = |e: std::io::Error| BundleError::Io {
                    action: "encrypt",
                    path: path.to_path_buf(),
                    source: e,
                };
                let armor = age::armor::ArmoredWriter::wrap_output(
                    &mut out,
                    age::armor::Format::AsciiArmor,
                )
                .map_err(io)?;
                let mut w = enc.wrap_output(armor).map_err(io)?;
                w.write_all(text.as_bytes()).map_err(io)?;
                w.finish().and_then(|a| a.finish()).map_err(io)?;
                Zeroizing::new(out)
            }
        };
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => BundleError::OutputExists {
                    path: path.to_path_buf(),
                },
                _ => BundleError::Io {
                    action: "create",
                    path: path.to_path_buf(),
                    source: e,
                },
            })?;
        f.write_all(&bytes)
            .and_then(|_| f.sync_all())
            .map_err(|e| BundleError::Io {
                action: "write",
                path: path.to_path_buf(),
                source: e,
            })
    }

    /// Reads a key file written by [`OrgKey::write`] or by `age-keygen`, decrypting it with
    /// `passphrase` when it is protected.
    pub fn read(path: &Path, passphrase: Option<&Passphrase>) -> Result<Self, BundleError> {
        let mut raw = Zeroizing::new(Vec::new());
        std::fs::File::open(path)
            .and_then(|f| f.take(64 * 1024).read_to_end(&mut raw))
            .map_err(|e| BundleError::Io {
                action: "read",
                path: path.to_path_buf(),
                source: e,
            })?;
        let text: Zeroizing<Vec<u8>> = if raw.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
            || raw.starts_with(b"age-encryption.org/")
        {
            let wrong = || BundleError::IdentityPassphrase {
                path: path.to_path_buf(),
            };
            let reader = age::armor::ArmoredReader::new(&raw[..]);
            let dec = age::Decryptor::new(reader).map_err(|_| wrong())?;
            // Encrypted to a key rather than a passphrase: a bundle or an acknowledgement
            // given in the key file's place.
            if !dec.is_scrypt() {
                return Err(BundleError::BadIdentityFile {
                    path: path.to_path_buf(),
                });
            }
            let pass = passphrase.ok_or_else(|| BundleError::IdentityNeedsPassphrase {
                path: path.to_path_buf(),
            })?;
            let identity = age::scrypt::Identity::new(SecretString::from(
                String::from_utf8_lossy(pass.as_bytes()).into_owned(),
            ));
            let mut r = dec
                .decrypt(std::iter::once(&identity as &dyn age::Identity))
                .map_err(|_| wrong())?;
            let mut out = Zeroizing::new(Vec::new());
            r.read_to_end(&mut out).map_err(|_| wrong())?;
            out
        } else {
            raw
        };
        let bad = || BundleError::BadIdentityFile {
            path: path.to_path_buf(),
        };
        let text = std::str::from_utf8(&text).map_err(|_| bad())?;
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
            .ok_or_else(bad)?;
        let identity = line.parse::<age::x25519::Identity>().map_err(|_| bad())?;
        Ok(Self { identity })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_round_trips_plain_and_protected() {
        let dir = tempfile::tempdir().unwrap();
        let key = OrgKey::generate();
        let plain = dir.path().join("org.key");
        key.write(&plain, "2026-11-22T00:00:00Z", None).unwrap();
        let text = std::fs::read_to_string(&plain).unwrap();
        assert!(text.contains(&format!("# public key: {}", key.recipient())));
        assert_eq!(
            OrgKey::read(&plain, None).unwrap().recipient(),
            key.recipient()
        );
        assert!(matches!(
            key.write(&plain, "x", None),
            Err(BundleError::OutputExists { .. })
        ));

        let pass = Passphrase::new("organisation passphrase".into()).unwrap();
        let protected = dir.path().join("org-protected.key");
        key.write(&protected, "2026-11-22T00:00:00Z", Some(&pass))
            .unwrap();
        let bytes = std::fs::read(&protected).unwrap();
        assert!(bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
        assert!(!String::from_utf8_lossy(&bytes).contains("AGE-SECRET-KEY"));
        assert!(matches!(
            OrgKey::read(&protected, None),
            Err(BundleError::IdentityNeedsPassphrase { .. })
        ));
        let wrong = Passphrase::new("not the passphrase".into()).unwrap();
        assert!(matches!(
            OrgKey::read(&protected, Some(&wrong)),
            Err(BundleError::IdentityPassphrase { .. })
        ));
        let back = OrgKey::read(&protected, Some(&pass)).unwrap();
        assert_eq!(back.recipient(), key.recipient());
    }

    #[test]
    fn recipients_are_checked() {
        let key = OrgKey::generate();
        assert!(parse_recipient(&key.recipient()).is_ok());
        assert!(parse_recipient("age1notarecipient").is_err());
        assert!(parse_recipient("AGE-SECRET-KEY-1").is_err());
        assert_eq!(key.fingerprint().len(), 24);
    }
}
