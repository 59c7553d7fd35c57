//! Secret values: zeroized on drop and never shown by `Debug`, so a stray `{:?}` in a log
//! line cannot print a key (the mistake a peer tool's audit found).

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

use super::VaultError;

/// Shortest passphrase accepted for a new vault or a passphrase change.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// A passphrase as typed. Trailing line breaks from a file are removed by the reader.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Wraps a passphrase; an empty one is refused.
    pub fn new(mut s: String) -> Result<Self, VaultError> {
        if s.is_empty() {
            s.zeroize();
            return Err(VaultError::EmptyPassphrase);
        }
        Ok(Self(Zeroizing::new(s)))
    }

    /// Reads a passphrase from the bytes of a file: one trailing `\n` or `\r\n` is removed.
    pub fn from_file_bytes(bytes: Zeroizing<Vec<u8>>) -> Result<Self, VaultError> {
        let mut end = bytes.len();
        if end > 0 && bytes[end - 1] == b'\n' {
            end -= 1;
            if end > 0 && bytes[end - 1] == b'\r' {
                end -= 1;
            }
        }
        let text = std::str::from_utf8(&bytes[..end]).map_err(|_| VaultError::PassphraseNotText)?;
        Self::new(text.to_owned())
    }

    /// Refuses passphrases too short to protect a vault. Used when one is set, not on unlock.
    pub fn check_strength(&self) -> Result<(), VaultError> {
        if self.0.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(VaultError::PassphraseTooShort {
                min: MIN_PASSPHRASE_CHARS,
            });
        }
        Ok(())
    }

    /// Whether two typed passphrases are the same (a new one typed twice).
    pub fn same_as(&self, other: &Passphrase) -> bool {
        self.as_bytes() == other.as_bytes()
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// Key bytes at a fixed heap address, locked in memory (kept out of swap) where the OS
/// allows it. Fields drop in order: the bytes are wiped before the page is unlocked.
struct Locked {
    bytes: Zeroizing<[u8; 32]>,
    _guard: Option<region::LockGuard>,
}

/// A 256-bit key: the master key, a key-encryption key or a derived database key.
pub struct Key(Box<Locked>);

impl Clone for Key {
    fn clone(&self) -> Self {
        let mut k = Self::zeroed();
        k.bytes_mut().copy_from_slice(self.bytes());
        k
    }
}

impl Key {
    #[cfg(test)]
    pub(crate) fn from_bytes(bytes: [u8; 32]) -> Self {
        let mut k = Self::zeroed();
        *k.bytes_mut() = bytes;
        k
    }

    pub(crate) fn zeroed() -> Self {
        let mut locked = Box::new(Locked {
            bytes: Zeroizing::new([0u8; 32]),
            _guard: None,
        });
        // Where the OS refuses (a low RLIMIT_MEMLOCK), the key still works, unlocked.
        locked._guard = region::lock(locked.bytes.as_ptr(), 32).ok();
        Self(locked)
    }

    /// Whether the key's memory is locked against swap.
    pub fn is_locked_in_memory(&self) -> bool {
        self.0._guard.is_some()
    }

    pub(crate) fn random() -> Result<Self, VaultError> {
        let mut k = Self::zeroed();
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut k.0.bytes[..])
            .map_err(|_| VaultError::Randomness)?;
        Ok(k)
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0.bytes
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut [u8; 32] {
        &mut self.0.bytes
    }

    /// Lower-case hex, in a buffer that is wiped when dropped.
    pub(crate) fn to_hex(&self) -> Zeroizing<String> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = Zeroizing::new(String::with_capacity(64));
        for b in self.0.bytes.iter() {
            s.push(HEX[(b >> 4) as usize] as char);
            s.push(HEX[(b & 15) as usize] as char);
        }
        s
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secret_bytes() {
        let p = Passphrase::new("correct horse battery".into()).unwrap();
        assert_eq!(format!("{p:?}"), "Passphrase(<redacted>)");
        let k = Key::from_bytes([0xab; 32]);
        let shown = format!("{k:?} {:?}", vec![k.clone()]);
        assert!(!shown.contains("ab") && !shown.contains("171"), "{shown}");
    }

    #[test]
    fn keys_are_locked_in_memory_where_the_os_allows() {
        let k = Key::random().unwrap();
        let copy = k.clone();
        assert_eq!(k.bytes(), copy.bytes());
        // A few keys fit in any memory-lock limit a desktop has (Debian: 8 MiB); only a
        // limit of zero stops it.
        let limit = rustix::process::getrlimit(rustix::process::Resource::Memlock);
        if limit.current != Some(0) {
            assert!(k.is_locked_in_memory() && copy.is_locked_in_memory());
        }
    }

    #[test]
    fn empty_and_short_passphrases_are_refused() {
        assert!(matches!(
            Passphrase::new(String::new()),
            Err(VaultError::EmptyPassphrase)
        ));
        let p = Passphrase::from_file_bytes(Zeroizing::new(b"\n".to_vec()));
        assert!(matches!(p, Err(VaultError::EmptyPassphrase)));
        let short = Passphrase::new("1234567".into()).unwrap();
        assert!(short.check_strength().is_err());
        let p = Passphrase::from_file_bytes(Zeroizing::new(b"long enough\r\n".to_vec())).unwrap();
        assert_eq!(p.as_bytes(), b"long enough");
    }
}
