//! The encrypted database: SQLCipher opened with a raw 256-bit key, its pragmas, migrations,
//! and the records (testimonies, revisions, search) kept in it.

pub mod attachments;
pub mod blobs;
mod deliveries;
mod duress;
#[cfg(test)]
mod freed_memory_tests;
mod identity;
mod migrations;
pub(crate) mod pipeline;
pub mod received;
mod recipients;
pub mod search;
mod sharing;
pub mod testimonies;
pub use deliveries::{Delivered, PurgePlan};
pub use identity::clean_name;
pub use testimonies::now;

use std::path::Path;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};

use crate::custody::{ledger, CustodyError, DeviceKeys, Entry, VerifyReport};
use crate::model::InputError;
use crate::vault::Key;
pub use migrations::SCHEMA_VERSION;
pub use search::SearchHit;
pub use testimonies::{EditOutcome, Record, RevisionHash, RevisionInfo, Summary, TestimonyId};

/// What went wrong with the records.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such testimony.
    #[error("no testimony with id {id:?}; `aigaq list` shows the ids")]
    UnknownTestimony {
        /// The id or prefix given.
        id: String,
    },
    /// A prefix that fits several.
    #[error(
        "{count} testimonies have ids starting with {prefix:?}; give more characters of the id"
    )]
    AmbiguousId {
        /// The prefix given.
        prefix: String,
        /// How many match.
        count: usize,
    },
    /// Content gone.
    #[error("testimony {id} was deleted on {at}; only its hashes remain")]
    Purged {
        /// The testimony.
        id: String,
        /// When.
        at: String,
    },
    /// Bad testimony input.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Nothing to search for.
    #[error("the search has no words in it; give at least one word")]
    EmptyQuery,
    /// The database failed a check.
    #[error(
        "vault.db is damaged ({reason}); nothing was changed: restore the vault from a backup"
    )]
    Damaged {
        /// What SQLCipher or a check reported.
        reason: String,
    },
    /// A revision's bytes do not hash to its id.
    #[error("revision {hash} of testimony {id} does not match its hash: the vault was altered or damaged")]
    RevisionMismatch {
        /// The testimony.
        id: String,
        /// The stored hash.
        hash: String,
    },
    /// Written by a newer Aigaq.
    #[error("this vault's database has schema version {found}; this Aigaq knows up to {known}: update Aigaq")]
    NewerSchema {
        /// Found in the file.
        found: u32,
        /// Known here.
        known: u32,
    },
    /// Any other database failure (disk full, I/O).
    #[error("the database could not complete the action ({0}); nothing was changed")]
    Database(rusqlite::Error),
    /// Keys or the ledger.
    #[error(transparent)]
    Custody(#[from] CustodyError),
    /// Recipients and bundles.
    #[error(transparent)]
    Bundle(#[from] crate::bundle::BundleError),
    /// Attachment content.
    #[error(transparent)]
    Blob(#[from] blobs::BlobError),
    /// A file to attach that cannot be read.
    #[error("could not attach {}: {reason}; nothing was attached", path.display())]
    Source {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
    /// A received testimony lists an attachment whose content never arrived.
    #[error("the content of attachment {sha256} has not been received: it came in an earlier bundle that was not imported into this vault. Import that bundle, or ask the sender for an export with --all")]
    NotReceived {
        /// Its hash.
        sha256: String,
    },
    /// An attachment named by too few digits.
    #[error("{sha256:?} is too short to name an attachment: give at least 8 digits of its SHA-256 (`aigaq attachments ID` lists them)")]
    ShortAttachmentPrefix {
        /// What was given.
        sha256: String,
    },
    /// A prefix that more than one attachment's hash begins with.
    #[error("more than one attachment of testimony {id} begins with {prefix}; give more digits of its SHA-256 (`aigaq attachments {id}` lists them)")]
    AmbiguousAttachment {
        /// The testimony.
        id: String,
        /// The prefix given.
        prefix: String,
    },
    /// No such attachment.
    #[error("testimony {id} has no attachment {sha256:?}; `aigaq attachments {id}` lists them")]
    UnknownAttachment {
        /// The testimony.
        id: String,
        /// The hash (or prefix) asked for.
        sha256: String,
    },
    /// An attachment that is not shown in the app.
    #[error("no preview: {reason}")]
    NoPreview {
        /// Why.
        reason: String,
    },
    /// Encoding a record failed.
    #[error("could not encode a record: {0}")]
    Encode(#[from] serde_json::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
                StoreError::Damaged {
                    reason: e.to_string(),
                }
            }
            _ => StoreError::Database(e),
        }
    }
}

/// An open, keyed database.
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) keys: DeviceKeys,
    pub(crate) changed: std::cell::Cell<bool>,
    pub(crate) blobs: blobs::BlobDir,
}

fn load_or_create_keys(conn: &mut Connection) -> Result<DeviceKeys, StoreError> {
    let tx = conn.transaction()?;
    let stored: Option<(zeroize::Zeroizing<Vec<u8>>, zeroize::Zeroizing<String>)> = tx
        .query_row(
            "SELECT signing_key, age_identity FROM device WHERE id = 1",
            [],
            |r| {
                Ok((
                    zeroize::Zeroizing::new(r.get(0)?),
                    zeroize::Zeroizing::new(r.get(1)?),
                ))
            },
        )
        .optional()?;
    let (pkcs8, age) = match stored {
        Some(found) => found,
        None => {
            let new = DeviceKeys::generate()?;
            tx.execute(
                "INSERT INTO device (id, signing_key, age_identity, created_at)
                 VALUES (1, ?1, ?2, ?3)",
                rusqlite::params![
                    &new.signing_pkcs8[..],
                    &new.age_identity[..],
                    testimonies::now()
                ],
            )?;
            (new.signing_pkcs8, new.age_identity)
        }
    };
    let keys = DeviceKeys::load(&pkcs8, &age)?;
    tx.commit()?;
    Ok(keys)
}

/// Pages of index-merge work done when a store that changed is closed.
const MERGE_PAGES_ON_CLOSE: i64 = 2000;

impl Drop for Store {
    fn drop(&mut self) {
        if self.changed.get() {
            // Best effort: a failure here loses nothing, the index is only less compact.
            let _ = self.conn.execute(
                "INSERT INTO testimony_fts (testimony_fts, rank) VALUES ('merge', ?1)",
                [MERGE_PAGES_ON_CLOSE],
            );
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// Loads the device keys, creating them in a vault that has none yet (a new vault).
    /// Attachment files live beside the database file.
    fn with_keys(mut conn: Connection, db: &Path) -> Result<Store, StoreError> {
        let keys = load_or_create_keys(&mut conn)?;
        let dir = db.parent().unwrap_or(Path::new("."));
        let store = Store {
            conn,
            keys,
            changed: std::cell::Cell::new(false),
            blobs: blobs::BlobDir::new(dir),
        };
        store.sweep_attachments()?;
        Ok(store)
    }

    /// This device's keys.
    pub fn device(&self) -> &DeviceKeys {
        &self.keys
    }

    /// Every ledger entry, in order.
    pub fn ledger(&self) -> Result<Vec<Entry>, StoreError> {
        ledger::entries(&self.conn)
    }

    /// Checks the ledger chain and every stored revision against it.
    pub fn verify_custody(&self) -> Result<VerifyReport, StoreError> {
        ledger::verify(&self.conn, &self.keys)
    }

    /// Sets up a new database in an existing empty file.
    pub(crate) fn create(path: &Path, key: &Key) -> Result<Store, StoreError> {
        let mut conn = Self::connect(path, Some(key), true)?;
        migrations::migrate(&mut conn)?;
        Store::with_keys(conn, path)
    }

    /// Opens an existing database; a wrong key cannot happen here (the keyslots AEAD already
    /// proved the key), so "not a database" means the file is damaged.
    pub(crate) fn open(path: &Path, key: &Key) -> Result<Store, StoreError> {
        let mut conn = Self::connect(path, Some(key), true)?;
        if migrations::version(&conn)? == 0 {
            return Err(StoreError::Damaged {
                reason: "it holds no Aigaq schema".into(),
            });
        }
        migrations::migrate(&mut conn)?;
        Store::with_keys(conn, path)
    }

    /// A plaintext database with the same schema and pragmas, only so the benchmark can
    /// measure what encryption costs. Not compiled into any build of the app or CLI.
    #[cfg(feature = "bench-internals")]
    pub fn open_plaintext_for_benchmark(path: &Path) -> Result<Store, StoreError> {
        let mut conn = Self::connect(path, None, false)?;
        migrations::migrate(&mut conn)?;
        Store::with_keys(conn, path)
    }

    /// An encrypted database opened with a random key, SQLite's freed memory wiped or not
    /// as asked, only so the benchmark can tell the cost of encryption from the cost of
    /// wiping. Wiping applies to the whole process and stays on (see `sqlite-wipe`), so a run
    /// without it must come before any vault is opened.
    #[cfg(feature = "bench-internals")]
    pub fn open_encrypted_for_benchmark(
        path: &Path,
        memory_security: bool,
    ) -> Result<Store, StoreError> {
        let key = Key::random().map_err(|e| StoreError::Damaged {
            reason: e.to_string(),
        })?;
        let mut conn = Self::connect_flags(path, Some(&key), memory_security, true)?;
        migrations::migrate(&mut conn)?;
        Store::with_keys(conn, path)
    }

    fn connect(
        path: &Path,
        key: Option<&Key>,
        memory_security: bool,
    ) -> Result<Connection, StoreError> {
        Self::connect_flags(path, key, memory_security, key.is_none())
    }

    fn connect_flags(
        path: &Path,
        key: Option<&Key>,
        memory_security: bool,
        create: bool,
    ) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | if create {
                OpenFlags::SQLITE_OPEN_CREATE
            } else {
                OpenFlags::empty()
            };
        // Before SQLite's first use in the process, which is where it takes its allocator.
        let wiping_allocator = sqlite_wipe::install();
        let conn = Connection::open_with_flags(path, flags)?;
        if let Some(key) = key {
            // Only the benchmark ever passes `false`. Should SQLite have started before the
            // first vault (never in the app or CLI), SQLCipher wipes what it frees instead,
            // more slowly; set before the key.
            if memory_security && wiping_allocator {
                sqlite_wipe::wipe_from_now_on();
            } else if memory_security {
                conn.execute_batch("PRAGMA cipher_memory_security = ON;")?;
            }
            let mut sql = zeroize::Zeroizing::new(String::with_capacity(96));
            sql.push_str("PRAGMA key = \"x'");
            sql.push_str(&key.to_hex());
            sql.push_str("'\";");
            conn.execute_batch(&sql)?;
        }
        // The first read proves the key and the file's first page.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -16384;
             PRAGMA secure_delete = ON;
             PRAGMA foreign_keys = ON;
             PRAGMA trusted_schema = OFF;",
        )?;
        Ok(conn)
    }

    /// Reads every page and checks its authentication code and the b-tree structure.
    /// Slow on a large vault: `aigaq check` runs it, not every unlock.
    pub fn check_integrity(&self) -> Result<attachments::Checked, StoreError> {
        let mut problems = Vec::new();
        if self.cipher_version().is_some() {
            let mut st = self.conn.prepare("PRAGMA cipher_integrity_check")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            for row in rows {
                problems.push(row?);
            }
        }
        let quick: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if quick != "ok" {
            problems.push(quick);
        }
        self.verify_revision_hashes()?;
        if problems.is_empty() {
            self.check_attachments()
        } else {
            Err(StoreError::Damaged {
                reason: problems.join("; "),
            })
        }
    }

    /// The SQLCipher version linked in.
    pub fn cipher_version(&self) -> Option<String> {
        self.conn
            .query_row("PRAGMA cipher_version", [], |r| r.get(0))
            .ok()
    }

    /// The current value of a pragma, for tests and diagnostics.
    pub fn pragma(&self, name: &str) -> Result<String, StoreError> {
        if !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(StoreError::Damaged {
                reason: "bad pragma name".into(),
            });
        }
        Ok(self
            .conn
            .query_row(&format!("PRAGMA {name}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| match v {
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Text(s) => s,
                other => format!("{other:?}"),
            })?)
    }

    /// The schema version of this database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        migrations::version(&self.conn)
    }
}
