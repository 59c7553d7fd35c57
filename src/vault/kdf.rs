//! Argon2id: passphrase to key-encryption key. The parameters are stored with the vault, so
//! a vault made with a light cost (tests) or a future heavier default still opens.

use argon2::{Algorithm, Argon2, Params, Version};

use super::secret::{Key, Passphrase};
use super::VaultError;

/// Argon2id cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub time_cost: u32,
    /// Lanes.
    pub lanes: u32,
}

// The design's floor for the default cost, checked when the crate compiles.
const _: () = assert!(KdfParams::DEFAULT.memory_kib >= 256 * 1024);

/// Most memory a keyslots file may ask for: a hostile or damaged file must not make an
/// unlock attempt allocate without bound.
pub const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;
/// Most passes a keyslots file may ask for.
pub const MAX_TIME_COST: u32 = 64;
/// Most lanes a keyslots file may ask for.
pub const MAX_LANES: u32 = 16;

impl KdfParams {
    /// The default cost, measured on a 2-core machine of the kind the project targets:
    /// 384 MiB and 2 passes take about one second there (figures in the README).
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 384 * 1024,
        time_cost: 2,
        lanes: 1,
    };

    /// A cost from MiB and passes, as `init --kdf-memory-mib N --kdf-time T` gives it.
    pub fn new(memory_mib: u32, time_cost: u32) -> Result<Self, VaultError> {
        let p = KdfParams {
            memory_kib: memory_mib.saturating_mul(1024),
            time_cost,
            lanes: 1,
        };
        p.check()?;
        Ok(p)
    }

    /// Checks the bounds a vault may use.
    pub fn check(&self) -> Result<(), VaultError> {
        let ok = (1..=MAX_LANES).contains(&self.lanes)
            && (1..=MAX_TIME_COST).contains(&self.time_cost)
            && self.memory_kib >= 1024
            && self.memory_kib >= 8 * self.lanes
            && self.memory_kib <= MAX_MEMORY_KIB;
        if ok {
            Ok(())
        } else {
            Err(VaultError::BadKdfParams {
                memory_kib: self.memory_kib,
                time_cost: self.time_cost,
                lanes: self.lanes,
            })
        }
    }

    /// Runs Argon2id once.
    pub fn derive(&self, passphrase: &Passphrase, salt: &[u8]) -> Result<Key, VaultError> {
        self.check()?;
        let params =
            Params::new(self.memory_kib, self.time_cost, self.lanes, Some(32)).map_err(|_| {
                VaultError::BadKdfParams {
                    memory_kib: self.memory_kib,
                    time_cost: self.time_cost,
                    lanes: self.lanes,
                }
            })?;
        #[cfg(test)]
        tests::DERIVATIONS.with(|c| c.set(c.get() + 1));
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut key = Key::zeroed();
        argon
            .hash_password_into(passphrase.as_bytes(), salt, key.bytes_mut())
            .map_err(|_| VaultError::OutOfMemory {
                memory_kib: self.memory_kib,
            })?;
        Ok(key)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// Argon2id runs on this thread, so tests can count them.
        pub(crate) static DERIVATIONS: Cell<usize> = const { Cell::new(0) };
    }

    #[test]
    fn default_cost_is_within_bounds() {
        KdfParams::DEFAULT.check().unwrap();
    }

    #[test]
    fn same_passphrase_and_salt_give_the_same_key_and_others_do_not() {
        let p = KdfParams::new(8, 1).unwrap();
        let a = Passphrase::new("one passphrase".into()).unwrap();
        let b = Passphrase::new("two passphrase".into()).unwrap();
        let k1 = p.derive(&a, &[1; 32]).unwrap();
        assert_eq!(k1.bytes(), p.derive(&a, &[1; 32]).unwrap().bytes());
        assert_ne!(k1.bytes(), p.derive(&b, &[1; 32]).unwrap().bytes());
        assert_ne!(k1.bytes(), p.derive(&a, &[2; 32]).unwrap().bytes());
    }
}
