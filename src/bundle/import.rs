//! The organisation's side: merging verified bundles into its own vault. All bundles of one
//! import are merged in one transaction, so any failure leaves the vault as it was; merging
//! the same bundle again changes nothing.

use std::io::Read;
use std::path::Path;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::inspect::{
    fingerprint_b64, read_bundle_reporting, BundleSink, Manifest, VerifiedRecord,
};
use super::{BundleError, OrgKey};
use crate::custody::{ledger, Entry};
use crate::media;
use crate::progress::{Progress, Reporter};
use crate::store::attachments::{add_seeking_warnings, holds_blob, record_blob};
use crate::store::blobs::{BlobDir, FillError};
use crate::store::{now, Store, StoreError};

/// What one bundle added.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedBundle {
    /// The bundle.
    pub bundle_id: String,
    /// The sender's read-aloud fingerprint.
    pub sender_fingerprint: String,
    /// The name the sender gives itself, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    /// This sender had never sent a bundle before.
    pub new_sender: bool,
    /// Revisions not held before.
    pub new_revisions: usize,
    /// Revisions already held.
    pub known_revisions: usize,
    /// Ledger entries not held before.
    pub new_ledger_entries: usize,
    /// Ranges of the sender's ledger not in this bundle.
    pub ledger_gaps: Vec<(i64, i64)>,
    /// Attachments not held before.
    pub new_attachments: usize,
    /// Attachments already held.
    pub known_attachments: usize,
    /// Attachments the records list that neither this bundle nor the vault holds: ask the
    /// sender for an export with `--all`.
    pub missing_attachments: Vec<String>,
}

/// One revision held by the organisation.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedRevision {
    /// Testimony id (the sender's).
    pub id: String,
    /// Revision hash.
    pub revision: String,
    /// Sender's fingerprint.
    pub sender_fingerprint: String,
    /// Bundle it came in.
    pub bundle_id: String,
    /// When it was imported.
    pub received_at: String,
}

/// Writes a bundle's records and attachments into the open transaction as they are
/// verified; nothing is final before the transaction commits.
struct ImportSink<'a, 'c> {
    tx: &'a rusqlite::Transaction<'c>,
    blobs: &'a BlobDir,
    at: &'a str,
    kept: &'a mut Vec<String>,
    /// This vault's own device key.
    own_key: String,
    /// The sender's device key and the bundle, known once the manifest has verified.
    sender: String,
    bundle_id: String,
    new_sender: bool,
    new_entries: usize,
    error: Option<StoreError>,
    new_revisions: usize,
    known_revisions: usize,
    new_attachments: usize,
    known_attachments: usize,
}

impl ImportSink<'_, '_> {
    /// Keeps a database or file error to return as it is, and stops the reader.
    fn fail(&mut self, e: StoreError) -> BundleError {
        self.error = Some(e);
        BundleError::Invalid {
            reason: "the vault could not store what the bundle holds".into(),
        }
    }

    fn store_record(&mut self, r: &VerifiedRecord<'_>) -> Result<(), StoreError> {
        let (id, rev, bytes) = (r.id, r.revision, r.bytes);
        // A device sends only its own testimonies: the same id from a second device would
        // mix two witnesses' accounts under one testimony.
        let other: Option<String> = self
            .tx
            .prepare_cached(
                "SELECT sender FROM received_revisions WHERE testimony = ?1 AND sender != ?2
                 LIMIT 1",
            )?
            .query_row(params![id, self.sender], |r| r.get(0))
            .optional()?;
        if let Some(other) = other {
            return Err(BundleError::Invalid {
                reason: format!(
                    "it carries testimony {id}, which was received before from another device (fingerprint {}); a device sends only its own testimonies",
                    fingerprint_b64(&other)
                ),
            }
            .into());
        }
        let n = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO received_revisions
                     (hash, testimony, sender, bundle_id, body, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                rev,
                id,
                self.sender,
                self.bundle_id,
                bytes,
                self.at
            ])?;
        if n == 1 {
            self.new_revisions += 1;
        } else {
            self.known_revisions += 1;
        }
        for a in r.attachments {
            self.tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO received_attachments (revision, sha256) VALUES (?1, ?2)",
                )?
                .execute(params![rev, a.sha256])?;
        }
        Ok(())
    }

    /// The sender: remembered by its device key; a name another key already has is
    /// refused; the bundle is recorded.
    fn store_sender(&mut self, m: &Manifest) -> Result<(), StoreError> {
        let tx = self.tx;
        let sender = m.sender.device_key.clone();
        if sender == self.own_key {
            return Err(BundleError::OwnBundle.into());
        }
        let known: Option<String> = tx
            .prepare_cached("SELECT age_recipient FROM senders WHERE device_key = ?1")?
            .query_row([&sender], |r| r.get(0))
            .optional()?;
        if let Some(name) = &m.sender.name {
            // Compared in Rust: SQLite's lower() knows only ASCII, and names are often
            // Cyrillic.
            // Every name another device ever used counts, not only its latest.
            let mut st = tx.prepare_cached(
                "SELECT device_key, name FROM senders WHERE name != '' AND device_key != ?1
                 UNION SELECT device_key, name FROM sender_names WHERE device_key != ?1",
            )?;
            let claimed = name_skeleton(name);
            let other = st
                .query_map([&sender], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .find(|(_, known)| name_skeleton(known) == claimed);
            if let Some((other, known_name)) = other {
                return Err(BundleError::NameClaimed {
                    name: name.clone(),
                    known_name,
                    known: fingerprint_b64(&other),
                    claimed: fingerprint_b64(&sender),
                }
                .into());
            }
        }
        let name = m.sender.name.as_deref().unwrap_or("");
        if known.is_none() {
            tx.execute(
                "INSERT INTO senders (device_key, age_recipient, first_seen, name)
                 VALUES (?1, ?2, ?3, ?4)",
                params![sender, m.sender.age_recipient, self.at, name],
            )?;
        } else if !name.is_empty() {
            // A device may rename itself; the key is what identifies it.
            tx.execute(
                "UPDATE senders SET name = ?2 WHERE device_key = ?1",
                params![sender, name],
            )?;
        }
        if !name.is_empty() {
            tx.execute(
                "INSERT OR IGNORE INTO sender_names (device_key, name) VALUES (?1, ?2)",
                params![sender, name],
            )?;
        }
        tx.execute(
            "INSERT OR IGNORE INTO received_bundles (bundle_id, sender, created, received_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![m.bundle_id, sender, m.created, self.at],
        )?;
        self.new_sender = known.is_none();
        self.sender = sender;
        self.bundle_id = m.bundle_id.clone();
        Ok(())
    }

    /// A sender's ledger entry: new, the same as received before, or (refused) a different
    /// entry at the same place, which would be a forked history.
    /// `line` is the entry's canonical bytes, as read.
    fn store_entry(&mut self, e: &Entry, hash: &str, line: &str) -> Result<(), StoreError> {
        // Inserted first, as most entries are new; an entry already held is then compared.
        let added = self
            .tx
            .prepare_cached(
                "INSERT INTO received_ledger (sender, seq, hash, entry) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (sender, seq) DO NOTHING",
            )?
            .execute(params![self.sender, e.seq, hash, line])?;
        if added == 1 {
            self.new_entries += 1;
            return Ok(());
        }
        let held: String = self
            .tx
            .prepare_cached("SELECT hash FROM received_ledger WHERE sender = ?1 AND seq = ?2")?
            .query_row(params![self.sender, e.seq], |r| r.get(0))?;
        if held == hash {
            Ok(())
        } else {
            Err(BundleError::Invalid {
                reason: format!(
                    "the sender's ledger entry {} differs from the one received earlier (a forked history)",
                    e.seq
                ),
            }
            .into())
        }
    }

    fn store_attachment(&mut self, sha: &str, content: &mut dyn Read) -> Result<(), StoreError> {
        if holds_blob(self.tx, sha)? {
            // The reader still checks the bytes against the hash.
            self.known_attachments += 1;
            return Ok(());
        }
        let mut sniffer = media::Sniffer::new();
        let filled = self
            .blobs
            .create_checked_by_caller()?
            .fill(content, |b| sniffer.feed(b));
        let w = match filled {
            Ok(filled) => filled,
            Err(FillError::Read(e)) => {
                return Err(BundleError::Invalid {
                    reason: format!("attachments/{sha} could not be read ({e})"),
                }
                .into())
            }
            Err(FillError::Store(e)) => return Err(e.into()),
        };
        // The bundle reader hashes these bytes as they pass and refuses the bundle if they
        // do not match `sha`; the import then rolls back and removes this file. Hashing
        // them here as well would double the work of the slowest step.
        let written = w.finish_checked_by_caller(sha)?;
        let (media_type, mut warnings) = sniffer.describe();
        let written = add_seeking_warnings(self.blobs, written, &media_type, &mut warnings)?;
        let (_, file) = record_blob(self.tx, self.blobs, written, &media_type, &warnings)?;
        self.kept.extend(file);
        self.new_attachments += 1;
        Ok(())
    }
}

/// A name as a reader may take it at a glance: case, runs of spaces, combining accents,
/// full-width forms and the Cyrillic and Greek letters that look like Latin ones (names
/// here are written in either script) do not count, so that "Team  North", "Теам North"
/// or "Team Νorth" cannot pass for "Team North". (Invisible characters never get this far:
/// names holding them are refused.)
fn name_skeleton(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            // Accents added as combining marks do not make another name.
            if ('\u{0300}'..='\u{036F}').contains(&c) {
                continue;
            }
            // Full-width Latin letters and digits are the ASCII ones.
            let c = match u32::from(c) {
                n @ 0xFF01..=0xFF5E => char::from_u32(n - 0xFEE0).unwrap_or(c),
                _ => c,
            };
            out.push(match c {
                'а' | 'α' => 'a',
                'β' => 'b',
                'ε' => 'e',
                'ζ' => 'z',
                'η' => 'h',
                'ι' => 'i',
                'κ' => 'k',
                'μ' => 'm',
                'ν' => 'n',
                'ο' => 'o',
                'ρ' => 'p',
                'τ' => 't',
                'υ' => 'y',
                'χ' => 'x',
                'в' => 'b',
                'с' => 'c',
                'ԁ' => 'd',
                'е' | 'ё' => 'e',
                'һ' | 'н' => 'h',
                'і' | 'ӏ' => 'i',
                'ј' => 'j',
                'к' => 'k',
                'м' => 'm',
                'о' | 'ө' => 'o',
                'р' => 'p',
                'ѕ' => 's',
                'т' => 't',
                'у' | 'ү' => 'y',
                'х' => 'x',
                '0' => 'o',
                c => c,
            });
        }
    }
    out
}

/// Verification failures are the bundle's fault and are returned as they are; anything
/// else (the database, the disk) is kept to be returned instead of a vague bundle error.
fn pass_on(sink: &mut ImportSink<'_, '_>, r: Result<(), StoreError>) -> Result<(), BundleError> {
    match r {
        Ok(()) => Ok(()),
        Err(StoreError::Bundle(b)) => Err(b),
        Err(e) => Err(sink.fail(e)),
    }
}

impl BundleSink for &mut ImportSink<'_, '_> {
    fn lists_records(&self) -> bool {
        false
    }

    fn begin(&mut self, m: &Manifest) -> Result<(), BundleError> {
        let r = self.store_sender(m);
        pass_on(self, r)
    }

    fn ledger_entry(&mut self, e: &Entry, hash: &str, line: &str) -> Result<(), BundleError> {
        let r = self.store_entry(e, hash, line);
        pass_on(self, r)
    }

    fn record(&mut self, record: &VerifiedRecord<'_>) -> Result<(), BundleError> {
        let r = self.store_record(record);
        pass_on(self, r)
    }

    fn attachment(&mut self, sha: &str, content: &mut dyn Read) -> Result<(), BundleError> {
        let r = self.store_attachment(sha, content);
        pass_on(self, r)
    }
}

impl Store {
    /// Verifies and merges bundles; all or nothing.
    pub fn import(
        &mut self,
        bundles: &[&Path],
        key: &OrgKey,
    ) -> Result<Vec<ImportedBundle>, StoreError> {
        self.import_reporting(bundles, key, &mut |_| {})
    }

    /// [`Store::import`], telling `progress` how much of the bundle files is read, for a
    /// progress bar.
    pub fn import_reporting(
        &mut self,
        bundles: &[&Path],
        key: &OrgKey,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Vec<ImportedBundle>, StoreError> {
        let total = bundles
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        let mut reporter = Reporter::new(total, progress);
        let mut kept = Vec::new();
        let result = self.import_all(bundles, key, &mut kept, &mut reporter);
        match result {
            Ok(_) => reporter.finish(),
            // Attachment files written for a bundle that then failed.
            Err(_) => self.blobs.remove_all(&kept),
        }
        result
    }

    fn import_all(
        &mut self,
        bundles: &[&Path],
        key: &OrgKey,
        kept: &mut Vec<String>,
        reporter: &mut Reporter<'_>,
    ) -> Result<Vec<ImportedBundle>, StoreError> {
        let at = now();
        let tx = self.conn.transaction()?;
        let mut out = Vec::new();
        // Everything is written as it streams in and checks out; the transaction makes the
        // whole import all or nothing, and memory does not grow with the bundle.
        tx.execute_batch("PRAGMA defer_foreign_keys = ON;")?;
        for path in bundles {
            let mut sink = ImportSink {
                tx: &tx,
                blobs: &self.blobs,
                at: &at,
                kept,
                own_key: self.keys.public_key_b64(),
                sender: String::new(),
                bundle_id: String::new(),
                new_sender: false,
                new_entries: 0,
                error: None,
                new_revisions: 0,
                known_revisions: 0,
                new_attachments: 0,
                known_attachments: 0,
            };
            let report = read_bundle_reporting(path, key, &mut sink, reporter);
            if let Some(e) = sink.error.take() {
                return Err(e);
            }
            let (new_revisions, known_revisions) = (sink.new_revisions, sink.known_revisions);
            let (new_attachments, known_attachments) =
                (sink.new_attachments, sink.known_attachments);
            let (new_sender, new_entries) = (sink.new_sender, sink.new_entries);
            let report = report?;
            let mut missing_attachments = Vec::new();
            for sha in &report.attachments_not_carried {
                if !holds_blob(&tx, sha)? {
                    missing_attachments.push(sha.clone());
                }
            }
            if new_revisions > 0 || new_entries > 0 || new_attachments > 0 {
                ledger::append(&tx, &self.keys, "import", &report.bundle_id, None, &at)?;
            }
            out.push(ImportedBundle {
                bundle_id: report.bundle_id,
                sender_name: report.sender_name,
                sender_fingerprint: report.sender_fingerprint,
                new_sender,
                new_revisions,
                known_revisions,
                new_ledger_entries: new_entries,
                ledger_gaps: report.ledger_gaps,
                new_attachments,
                known_attachments,
                missing_attachments,
            });
        }
        tx.commit()?;
        self.changed.set(true);
        Ok(out)
    }

    /// Every revision received, oldest first.
    pub fn received(&self) -> Result<Vec<ReceivedRevision>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT testimony, hash, sender, bundle_id, received_at FROM received_revisions
             ORDER BY received_at, testimony",
        )?;
        let rows = st.query_map([], |r| {
            let sender: String = r.get(2)?;
            Ok(ReceivedRevision {
                id: r.get(0)?,
                revision: r.get(1)?,
                sender_fingerprint: fingerprint_b64(&sender),
                bundle_id: r.get(3)?,
                received_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
