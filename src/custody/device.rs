//! The device's identity: an Ed25519 key that signs every ledger entry and bundle, and an
//! age X25519 identity that acknowledgements are encrypted to. Both are created with the
//! vault and kept only inside its encrypted database.

use age::secrecy::ExposeSecret;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use zeroize::Zeroizing;

use super::CustodyError;

/// The loaded keys of this device.
pub struct DeviceKeys {
    signing: Ed25519KeyPair,
    age: age::x25519::Identity,
}

impl std::fmt::Debug for DeviceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceKeys")
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

/// Freshly generated key material, as stored.
pub(crate) struct NewKeys {
    pub(crate) signing_pkcs8: Zeroizing<Vec<u8>>,
    pub(crate) age_identity: Zeroizing<String>,
}

impl DeviceKeys {
    /// New random keys.
    pub(crate) fn generate() -> Result<NewKeys, CustodyError> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| CustodyError::Randomness)?;
        let age = age::x25519::Identity::generate();
        Ok(NewKeys {
            signing_pkcs8: Zeroizing::new(pkcs8.as_ref().to_vec()),
            age_identity: Zeroizing::new(age.to_string().expose_secret().to_owned()),
        })
    }

    /// Loads stored keys.
    pub(crate) fn load(pkcs8: &[u8], age_identity: &str) -> Result<Self, CustodyError> {
        let signing = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| CustodyError::DeviceKeys)?;
        let age = age_identity
            .parse::<age::x25519::Identity>()
            .map_err(|_| CustodyError::DeviceKeys)?;
        Ok(Self { signing, age })
    }

    /// The raw 32-byte public signing key.
    pub fn public_key(&self) -> &[u8] {
        self.signing.public_key().as_ref()
    }

    /// The public signing key as standard padded base64, as entries and manifests carry it.
    pub fn public_key_b64(&self) -> String {
        B64.encode(self.public_key())
    }

    /// A short fingerprint a person can read aloud: see [`fingerprint`].
    pub fn fingerprint(&self) -> String {
        fingerprint(self.public_key())
    }

    /// The `age1…` recipient that acknowledgements for this device are encrypted to.
    pub fn age_recipient(&self) -> String {
        self.age.to_public().to_string()
    }

    /// The age identity acknowledgements are encrypted to.
    pub(crate) fn age_identity(&self) -> &age::x25519::Identity {
        &self.age
    }

    /// Signs `bytes`; returns the signature as standard padded base64.
    pub fn sign_b64(&self, bytes: &[u8]) -> String {
        B64.encode(self.signing.sign(bytes).as_ref())
    }
}

/// The first 80 bits of the SHA-256 of a public key, as five groups of four hex digits.
pub fn fingerprint(public_key: &[u8]) -> String {
    let hex = crate::canonical::sha256_hex(public_key);
    hex.as_bytes()[..20]
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks a base64 Ed25519 signature over `bytes` by a base64 public key.
pub fn verify_b64(public_key_b64: &str, bytes: &[u8], sig_b64: &str) -> bool {
    let (Ok(key), Ok(sig)) = (B64.decode(public_key_b64), B64.decode(sig_b64)) else {
        return false;
    };
    key.len() == 32
        && sig.len() == 64
        && UnparsedPublicKey::new(&ED25519, key)
            .verify(bytes, &sig)
            .is_ok()
}
