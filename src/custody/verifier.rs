//! Checking many Ed25519 signatures by one key: a bundle's ledger holds one per entry, all
//! by the sending device, and checking them is a large part of an import's time.
//!
//! Both implementations here apply the same rule, RFC 8032's without the cofactor: `s` must
//! be below the group order, and the signature holds only if the canonical encoding of
//! `[s]B - [k]A`, with `k = SHA-512(R || A || message)`, is byte for byte the signature's
//! `R`. ring (used everywhere else in Aigaq) and ed25519-dalek's `verify` (not
//! `verify_strict`, which also refuses some keys and `R`s) both compute exactly that, so
//! they accept the same signatures; dalek's, with curve25519-dalek's vectorised arithmetic,
//! takes about 80% of ring's time on a ledger's entries (the bundle benchmark prints both).
//! The one place their rules could part is the decoding of a key written in a
//! non-canonical form (never one a device makes): such a key is left to ring. The tests
//! compare the two on valid, altered and crafted signatures.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::VerifyingKey;
use ring::signature::{UnparsedPublicKey, ED25519};

/// One device's public key, decoded once for many signatures.
pub enum DeviceVerifier {
    /// A key in its canonical encoding.
    Fast(VerifyingKey),
    /// Any other 32 bytes: checked by ring as they are.
    Ring([u8; 32]),
}

impl DeviceVerifier {
    /// The verifier for a raw 32-byte public key.
    pub fn new(key: [u8; 32]) -> Self {
        match VerifyingKey::from_bytes(&key) {
            Ok(k) if k.to_edwards().compress().to_bytes() == key => Self::Fast(k),
            _ => Self::Ring(key),
        }
    }

    /// The verifier for a key as entries and manifests carry it (standard padded base64),
    /// or `None` if it is not a 32-byte key.
    pub fn from_b64(key_b64: &str) -> Option<Self> {
        let key: [u8; 32] = B64.decode(key_b64).ok()?.try_into().ok()?;
        Some(Self::new(key))
    }

    /// Whether `sig_b64` (standard padded base64) is this key's signature over `message`.
    pub fn verifies_b64(&self, message: &[u8], sig_b64: &str) -> bool {
        B64.decode(sig_b64)
            .is_ok_and(|sig| self.verifies(message, &sig))
    }

    /// Whether `sig` (64 bytes) is this key's signature over `message`.
    pub fn verifies(&self, message: &[u8], sig: &[u8]) -> bool {
        match self {
            Self::Fast(key) => {
                let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
                    return false;
                };
                ed25519_dalek::Verifier::verify(key, message, &sig).is_ok()
            }
            Self::Ring(key) => UnparsedPublicKey::new(&ED25519, key)
                .verify(message, sig)
                .is_ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    fn ring_verifies(key: &[u8], message: &[u8], sig: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, key)
            .verify(message, sig)
            .is_ok()
    }

    fn key_pair(seed: [u8; 32]) -> Ed25519KeyPair {
        Ed25519KeyPair::from_seed_unchecked(&seed).unwrap()
    }

    /// The group order ℓ, little-endian.
    const ORDER: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];

    /// Adds ℓ to a scalar below it: the same value mod ℓ, in a form both must refuse.
    fn plus_order(s: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        let mut carry = 0u16;
        for i in 0..32 {
            let v = u16::from(s[i]) + u16::from(ORDER[i]) + carry;
            out[i] = v as u8;
            carry = v >> 8;
        }
        out
    }

    /// The encodings of points of small order (and a non-canonical one of the identity),
    /// which a forger can put in `R` or in a key.
    fn small_order_points() -> Vec<[u8; 32]> {
        let mut points = vec![[0u8; 32]; 4];
        points[0][0] = 1; // the identity
        points[1][31] = 0x80; // (0, 1) with the sign bit: non-canonical
        points[1][0] = 1;
        points[2][0] = 0xec; // y = p - 1: order 2
        points[2][1..31].fill(0xff);
        points[2][31] = 0x7f;
        // y = 0: order 4
        points.extend(
            curve25519_dalek::constants::EIGHT_TORSION
                .iter()
                .map(|p| p.compress().to_bytes()),
        );
        points
    }

    #[test]
    fn honest_signatures_verify_and_the_altered_do_not_with_both() {
        let pair = key_pair([7; 32]);
        let key: [u8; 32] = pair.public_key().as_ref().try_into().unwrap();
        let v = DeviceVerifier::new(key);
        assert!(matches!(v, DeviceVerifier::Fast(_)));
        for len in [0usize, 1, 300, 4096] {
            let message: Vec<u8> = (0..len).map(|i| (i * 31) as u8).collect();
            let sig = pair.sign(&message);
            assert!(v.verifies(&message, sig.as_ref()));
            for bit in 0..512 {
                let mut bad = sig.as_ref().to_vec();
                bad[bit / 8] ^= 1 << (bit % 8);
                assert_eq!(
                    v.verifies(&message, &bad),
                    ring_verifies(&key, &message, &bad),
                    "bit {bit} of a signature over {len} bytes"
                );
                assert!(!v.verifies(&message, &bad));
            }
            // s + ℓ: the same value mod ℓ, refused by both.
            let mut high = sig.as_ref().to_vec();
            high[32..].copy_from_slice(&plus_order(&sig.as_ref()[32..]));
            assert!(!ring_verifies(&key, &message, &high));
            assert!(!v.verifies(&message, &high));
        }
        assert!(!v.verifies(b"x", &[0u8; 63]));
        assert!(!v.verifies(b"x", &[0u8; 65]));
    }

    #[test]
    fn crafted_keys_and_signatures_get_the_same_answer_as_from_ring() {
        let message = b"entry";
        let pair = key_pair([9; 32]);
        let honest: [u8; 32] = pair.public_key().as_ref().try_into().unwrap();
        let sig = pair.sign(message);
        let mut keys = small_order_points();
        keys.push(honest);
        for key in &keys {
            let v = DeviceVerifier::new(*key);
            // R a small-order point and s zero or one: what verifies under a weak key.
            for r in small_order_points() {
                for s in [[0u8; 32], {
                    let mut one = [0u8; 32];
                    one[0] = 1;
                    one
                }] {
                    let mut crafted = [0u8; 64];
                    crafted[..32].copy_from_slice(&r);
                    crafted[32..].copy_from_slice(&s);
                    assert_eq!(
                        v.verifies(message, &crafted),
                        ring_verifies(key, message, &crafted),
                        "key {key:02x?}, R {r:02x?}, s {s:02x?}"
                    );
                }
            }
            assert_eq!(
                v.verifies(message, sig.as_ref()),
                ring_verifies(key, message, sig.as_ref())
            );
        }
    }

    proptest! {
        #[test]
        fn random_keys_messages_and_damage_agree_with_ring(
            seed in any::<[u8; 32]>(),
            message in proptest::collection::vec(any::<u8>(), 0..512),
            flip in any::<Option<(usize, u8)>>(),
            other_message in any::<bool>(),
        ) {
            let pair = key_pair(seed);
            let key: [u8; 32] = pair.public_key().as_ref().try_into().unwrap();
            let mut sig = pair.sign(&message).as_ref().to_vec();
            if let Some((at, bits)) = flip {
                sig[at % 64] ^= bits;
            }
            let signed = if other_message { b"another".to_vec() } else { message.clone() };
            let v = DeviceVerifier::new(key);
            prop_assert_eq!(v.verifies(&signed, &sig), ring_verifies(&key, &signed, &sig));
        }

        #[test]
        fn random_bytes_as_keys_and_signatures_agree_with_ring(
            key in any::<[u8; 32]>(),
            sig in proptest::collection::vec(any::<u8>(), 64),
        ) {
            let v = DeviceVerifier::new(key);
            prop_assert_eq!(v.verifies(b"m", &sig), ring_verifies(&key, b"m", &sig));
        }
    }
}
