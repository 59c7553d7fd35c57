//! The `keyslots` file: Argon2id parameters and salt, then a fixed number of slots, each the
//! master key sealed with ChaCha20-Poly1305 under one passphrase's key. Unused slots hold
//! random bytes, so nobody can tell how many passphrases a vault has. One salt for all slots
//! means one Argon2id run per unlock attempt, whatever the number of slots.
//!
//! Layout (all integers little-endian), 334 bytes:
//!
//! ```text
//! 0    8  magic "AIGAQKS\0"
//! 8    2  format version (2)
//! 10   4  Argon2id memory, KiB
//! 14   4  Argon2id passes
//! 18   4  Argon2id lanes
//! 22  32  salt
//! 54 240  4 slots × (12-byte nonce, 32-byte sealed key, 16-byte tag)
//! 294  4  failed unlocks in a row
//! 298  4  wipe after this many failed unlocks in a row (0: never)
//! 302 32  SHA-256 of bytes 0..302, to tell damage from a wrong passphrase
//! ```
//!
//! A slot is sealed with the header (bytes 0..54) and its index as associated data; a
//! duress slot also with the word `duress`, so a slot tells which kind it is only to the
//! one who opens it. The two counters are outside the associated data: they change on
//! every failed unlock. Nothing stops someone who can write the file from resetting them;
//! they slow down guessing on this machine, not on a copy of the disk.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::digest::{digest, SHA256};
use ring::rand::{SecureRandom, SystemRandom};

use super::kdf::KdfParams;
use super::secret::Key;
use super::VaultError;

const MAGIC: &[u8; 8] = b"AIGAQKS\0";
const VERSION: u16 = 2;
const HEADER_LEN: usize = 54;
/// Number of slots in every keyslots file.
pub const SLOTS: usize = 4;
const SLOT_LEN: usize = NONCE_LEN + 32 + 16;
const COUNTERS_LEN: usize = 8;
const BODY_LEN: usize = HEADER_LEN + SLOTS * SLOT_LEN + COUNTERS_LEN;
/// Exact size of a keyslots file.
pub const FILE_LEN: usize = BODY_LEN + 32;

/// A parsed keyslots file.
#[derive(Clone)]
pub struct Keyslots {
    /// The Argon2id cost.
    pub params: KdfParams,
    salt: [u8; 32],
    slots: [[u8; SLOT_LEN]; SLOTS],
    /// Failed unlocks in a row.
    pub failed: u32,
    /// Wipe the vault after this many failed unlocks in a row; 0 never.
    pub wipe_after: u32,
}

/// What a slot opened to.
pub enum Opened {
    /// The vault's master key.
    Master(Key, usize),
    /// A duress slot: the decoy's master key.
    Duress(Key, usize),
}

impl Keyslots {
    /// A new file: fresh salt, every slot random.
    pub fn new(params: KdfParams) -> Result<Self, VaultError> {
        let rng = SystemRandom::new();
        let mut salt = [0u8; 32];
        rng.fill(&mut salt).map_err(|_| VaultError::Randomness)?;
        let mut slots = [[0u8; SLOT_LEN]; SLOTS];
        for s in slots.iter_mut() {
            rng.fill(s).map_err(|_| VaultError::Randomness)?;
        }
        Ok(Self {
            params,
            salt,
            slots,
            failed: 0,
            wipe_after: 0,
        })
    }

    /// A new file for another master key with the same cost and salt (so the same
    /// passphrase derives the same key) and the same settings; every slot random.
    pub fn fresh_like(&self) -> Result<Self, VaultError> {
        let mut new = Self::new(self.params)?;
        new.salt = self.salt;
        new.wipe_after = self.wipe_after;
        Ok(new)
    }

    /// The salt for Argon2id.
    pub fn salt(&self) -> &[u8; 32] {
        &self.salt
    }

    fn header(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[..8].copy_from_slice(MAGIC);
        h[8..10].copy_from_slice(&VERSION.to_le_bytes());
        h[10..14].copy_from_slice(&self.params.memory_kib.to_le_bytes());
        h[14..18].copy_from_slice(&self.params.time_cost.to_le_bytes());
        h[18..22].copy_from_slice(&self.params.lanes.to_le_bytes());
        h[22..54].copy_from_slice(&self.salt);
        h
    }

    fn aad(&self, index: usize, duress: bool) -> Vec<u8> {
        let mut aad = self.header().to_vec();
        aad.push(index as u8);
        if duress {
            aad.extend_from_slice(b"duress");
        }
        aad
    }

    /// Seals `master` under `kek` into slot `index`.
    pub fn seal(&mut self, index: usize, kek: &Key, master: &Key) -> Result<(), VaultError> {
        self.seal_as(index, kek, master, false)
    }

    /// Seals a decoy's master key under the duress passphrase's `kek` into slot `index`.
    pub fn seal_duress(&mut self, index: usize, kek: &Key, decoy: &Key) -> Result<(), VaultError> {
        self.seal_as(index, kek, decoy, true)
    }

    /// Fills slot `index` with random bytes, so it opens to nothing.
    pub fn clear(&mut self, index: usize) -> Result<(), VaultError> {
        SystemRandom::new()
            .fill(&mut self.slots[index])
            .map_err(|_| VaultError::Randomness)
    }

    fn seal_as(
        &mut self,
        index: usize,
        kek: &Key,
        master: &Key,
        duress: bool,
    ) -> Result<(), VaultError> {
        let rng = SystemRandom::new();
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce).map_err(|_| VaultError::Randomness)?;
        let aead = aead_key(kek)?;
        let mut sealed = zeroize::Zeroizing::new(*master.bytes());
        let tag = aead
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(self.aad(index, duress)),
                &mut sealed[..],
            )
            .map_err(|_| VaultError::Randomness)?;
        let slot = &mut self.slots[index];
        slot[..NONCE_LEN].copy_from_slice(&nonce);
        slot[NONCE_LEN..NONCE_LEN + 32].copy_from_slice(&sealed[..]);
        slot[NONCE_LEN + 32..].copy_from_slice(tag.as_ref());
        Ok(())
    }

    /// Tries every slot with `kek`, as a normal and as a duress slot; returns the master key
    /// and the slot it opened. Every slot is tried both ways even after a match, so the time
    /// taken does not tell which slot matched, or how.
    pub fn open(&self, kek: &Key) -> Option<Opened> {
        let aead = aead_key(kek).ok()?;
        let mut found = None;
        for index in 0..SLOTS {
            for duress in [false, true] {
                let slot = &self.slots[index];
                let mut buf = zeroize::Zeroizing::new(slot[NONCE_LEN..].to_vec());
                let mut nonce = [0u8; NONCE_LEN];
                nonce.copy_from_slice(&slot[..NONCE_LEN]);
                let opened = aead.open_in_place(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(self.aad(index, duress)),
                    &mut buf[..],
                );
                if let Ok(plain) = opened {
                    if found.is_none() && plain.len() == 32 {
                        let mut k = Key::zeroed();
                        k.bytes_mut().copy_from_slice(plain);
                        found = Some(if duress {
                            Opened::Duress(k, index)
                        } else {
                            Opened::Master(k, index)
                        });
                    }
                }
            }
        }
        found
    }

    /// Which slot holds a duress key sealed under `kek`, if any; see [`Self::open`].
    pub fn duress_slot(&self, kek: &Key) -> Option<usize> {
        match self.open(kek) {
            Some(Opened::Duress(_, i)) => Some(i),
            _ => None,
        }
    }

    /// A slot chosen at random, other than `except`.
    pub fn random_slot(except: Option<usize>) -> Result<usize, VaultError> {
        let rng = SystemRandom::new();
        loop {
            let mut b = [0u8; 1];
            rng.fill(&mut b).map_err(|_| VaultError::Randomness)?;
            let i = (b[0] as usize) % SLOTS;
            if Some(i) != except {
                return Ok(i);
            }
        }
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(FILE_LEN);
        out.extend_from_slice(&self.header());
        for s in &self.slots {
            out.extend_from_slice(s);
        }
        out.extend_from_slice(&self.failed.to_le_bytes());
        out.extend_from_slice(&self.wipe_after.to_le_bytes());
        let sum = digest(&SHA256, &out);
        out.extend_from_slice(sum.as_ref());
        out
    }

    /// Parses and checks a file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VaultError> {
        let damaged = |reason: &str| VaultError::KeyslotsDamaged {
            reason: reason.to_owned(),
        };
        if bytes.len() >= 10 && bytes[..8] == MAGIC[..] && bytes[8..10] == [1, 0] {
            return Err(damaged(
                "it was made by a development version of Aigaq before 0.1, whose format is no longer read; create a new vault",
            ));
        }
        if bytes.len() != FILE_LEN {
            return Err(damaged(&format!(
                "it is {} bytes long, not {FILE_LEN}",
                bytes.len()
            )));
        }
        if &bytes[..8] != MAGIC {
            return Err(damaged("it does not start with the Aigaq keyslots marker"));
        }
        if digest(&SHA256, &bytes[..BODY_LEN]).as_ref() != &bytes[BODY_LEN..] {
            return Err(damaged("its checksum does not match its contents"));
        }
        let u32_at =
            |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if version != VERSION {
            return Err(VaultError::NewerFormat {
                what: "keyslots",
                found: u32::from(version),
            });
        }
        let counters = HEADER_LEN + SLOTS * SLOT_LEN;
        let params = KdfParams {
            memory_kib: u32_at(10),
            time_cost: u32_at(14),
            lanes: u32_at(18),
        };
        params.check()?;
        let mut salt = [0u8; 32];
        salt.copy_from_slice(&bytes[22..54]);
        let mut slots = [[0u8; SLOT_LEN]; SLOTS];
        for (i, s) in slots.iter_mut().enumerate() {
            let at = HEADER_LEN + i * SLOT_LEN;
            s.copy_from_slice(&bytes[at..at + SLOT_LEN]);
        }
        Ok(Self {
            params,
            salt,
            slots,
            failed: u32_at(counters),
            wipe_after: u32_at(counters + 4),
        })
    }

    /// Reads `path`.
    pub fn read(path: &Path) -> Result<Self, VaultError> {
        let bytes = fs::read(path).map_err(|e| VaultError::io("read", path, e))?;
        Self::from_bytes(&bytes)
    }

    /// Replaces `path` atomically: the new bytes go to a temporary file that is synced and
    /// then renamed over the old one, and the folder is synced. A crash at any point leaves
    /// either the old file or the new one, never a mix.
    pub fn write_atomic(&self, path: &Path) -> Result<(), VaultError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let tmp = dir.join("keyslots.new");
        let _ = fs::remove_file(&tmp);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| VaultError::io("create", &tmp, e))?;
        f.write_all(&self.to_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| VaultError::io("write", &tmp, e))?;
        drop(f);
        fs::rename(&tmp, path).map_err(|e| VaultError::io("replace", path, e))?;
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| VaultError::io("sync", dir, e))
    }
}

fn aead_key(kek: &Key) -> Result<LessSafeKey, VaultError> {
    let unbound =
        UnboundKey::new(&CHACHA20_POLY1305, kek.bytes()).map_err(|_| VaultError::Randomness)?;
    Ok(LessSafeKey::new(unbound))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Keyslots, Key, Key) {
        let mut ks = Keyslots::new(KdfParams::new(8, 1).unwrap()).unwrap();
        let kek = Key::random().unwrap();
        let master = Key::random().unwrap();
        ks.seal(2, &kek, &master).unwrap();
        (ks, kek, master)
    }

    #[test]
    fn sealed_slot_opens_only_with_its_key() {
        let (ks, kek, master) = sample();
        let Some(Opened::Master(opened, index)) = ks.open(&kek) else {
            panic!("the slot did not open as a master key");
        };
        assert_eq!(index, 2);
        assert_eq!(opened.bytes(), master.bytes());
        assert!(ks.open(&Key::random().unwrap()).is_none());
    }

    #[test]
    fn a_duress_slot_opens_as_one_and_cannot_pass_for_the_other_kind() {
        let (mut ks, kek, _) = sample();
        let duress_kek = Key::random().unwrap();
        let decoy = Key::random().unwrap();
        ks.seal_duress(0, &duress_kek, &decoy).unwrap();
        let Some(Opened::Duress(opened, 0)) = ks.open(&duress_kek) else {
            panic!("the duress slot did not open as one");
        };
        assert_eq!(opened.bytes(), decoy.bytes());
        assert!(matches!(ks.open(&kek), Some(Opened::Master(_, 2))));
        // Moved to another index, a slot opens as nothing.
        let bytes = ks.to_bytes();
        let mut moved = bytes.clone();
        moved.copy_within(HEADER_LEN..HEADER_LEN + SLOT_LEN, HEADER_LEN + SLOT_LEN);
        // Slot 0 gets slot 3's random bytes.
        moved.copy_within(
            HEADER_LEN + 3 * SLOT_LEN..HEADER_LEN + 4 * SLOT_LEN,
            HEADER_LEN,
        );
        let body = BODY_LEN;
        let sum = digest(&SHA256, &moved[..body]);
        moved[body..].copy_from_slice(sum.as_ref());
        let moved = Keyslots::from_bytes(&moved).unwrap();
        assert!(moved.duress_slot(&duress_kek).is_none());
    }

    #[test]
    fn counters_round_trip_outside_the_sealed_data() {
        let (mut ks, kek, _) = sample();
        ks.failed = 3;
        ks.wipe_after = 10;
        let back = Keyslots::from_bytes(&ks.to_bytes()).unwrap();
        assert_eq!((back.failed, back.wipe_after), (3, 10));
        assert!(back.open(&kek).is_some());
    }

    #[test]
    fn round_trips_and_detects_every_flipped_bit_in_the_header() {
        let (ks, kek, _) = sample();
        let bytes = ks.to_bytes();
        assert_eq!(bytes.len(), FILE_LEN);
        assert!(Keyslots::from_bytes(&bytes).unwrap().open(&kek).is_some());
        for i in 0..FILE_LEN {
            let mut b = bytes.clone();
            b[i] ^= 0x10;
            assert!(
                Keyslots::from_bytes(&b).is_err(),
                "flip at {i} not detected"
            );
        }
        assert!(Keyslots::from_bytes(&bytes[..100]).is_err());
    }

    #[test]
    fn hostile_kdf_parameters_are_refused_before_any_work() {
        let (mut ks, _, _) = sample();
        ks.params.memory_kib = u32::MAX;
        let err = Keyslots::from_bytes(&ks.to_bytes()).err().unwrap();
        assert!(matches!(err, VaultError::BadKdfParams { .. }));
    }
}
