//! Writing an `aigaq-bundle/1` for one organisation: the testimonies its consent allows,
//! with the witness's name and contact removed unless the witness agreed to be named, as a
//! signed tar stream encrypted with age to the organisation's key. The manifest must come
//! first and list every file's size and hash, so the records and the ledger are read twice:
//! once to measure and hash them, once to write them. Memory does not grow with the bundle.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use ring::digest::{Context, SHA256};
use rusqlite::{params, Transaction};
use serde_json::Value;

use super::age_file::{io_err, publish, write_encrypted};
use super::manifest::{FileEntry, LedgerRange, Manifest, Sender, FORMAT};
use super::org_key::parse_recipient;
use super::tar_out::TarOut;
use super::BundleError;
use crate::canonical;
use crate::custody::{ledger, Entry};
use crate::store::{now, Store, StoreError};

/// How to export.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// Everything the recipient may receive, not only what it has not received yet.
    pub all: bool,
    /// ASCII-armored age output, for text channels.
    pub armor: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportReport {
    /// The recipient's name.
    pub recipient: String,
    /// The bundle's id.
    pub bundle_id: String,
    /// The file written.
    pub path: PathBuf,
    /// Testimonies in it.
    pub records: usize,
    /// Size of the file.
    pub bytes: u64,
}

/// A record on its way out; its bytes are made again when written, not kept.
struct Outgoing {
    id: String,
    source_revision: String,
    hash: String,
    size: u64,
}

/// A file name for a bundle that says nothing about its recipient or content: 16 random
/// bytes in hex, `.age`.
pub fn random_file_name() -> Result<String, BundleError> {
    let mut b = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b)
        .map_err(|_| BundleError::Randomness)?;
    Ok(format!("{}.age", canonical::hex(&b)))
}

/// The names in a testimony's `consent.share_with`, as written.
pub(crate) fn share_with(content: &Value) -> impl Iterator<Item = &str> {
    content["consent"]["share_with"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// Whether two recipient names are the same: case and surrounding spaces do not count.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The revision as it may leave the device: without the witness's name and contact unless
/// the witness agreed to be named.
fn outgoing_bytes(stored: &[u8]) -> Result<(Vec<u8>, bool), StoreError> {
    let mut doc: Value = serde_json::from_slice(stored)?;
    let named = doc["content"]["consent"]["identity"] == "named";
    if named {
        return Ok((stored.to_vec(), false));
    }
    let mut changed = false;
    if let Some(w) = doc["content"]
        .get_mut("witness")
        .and_then(Value::as_object_mut)
    {
        changed |= w.remove("name").is_some();
        changed |= w.remove("contact").is_some();
    }
    if !changed {
        return Ok((stored.to_vec(), false));
    }
    Ok((canonical::to_bytes(&doc)?, true))
}

/// The ledger entries of the records in a bundle, one canonical line each, streamed from
/// the database.
fn each_ledger_line(
    tx: &Transaction<'_>,
    ids: &HashSet<&str>,
    mut f: impl FnMut(&Entry, &[u8]) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut line = Vec::with_capacity(512);
    ledger::for_each(tx, |e| {
        if !ids.contains(e.record.as_str()) {
            return Ok(());
        }
        line.clear();
        line.extend_from_slice(&canonical::to_bytes(e)?);
        line.push(b'\n');
        f(e, &line)
    })
}

fn revision_body(tx: &Transaction<'_>, hash: &str) -> Result<Vec<u8>, StoreError> {
    Ok(tx
        .prepare_cached("SELECT body FROM revisions WHERE hash = ?1 AND body IS NOT NULL")?
        .query_row([hash], |r| r.get(0))?)
}

fn record_path(o: &Outgoing) -> String {
    format!("records/{}/{}.json", o.id, o.hash)
}

/// The current revisions that consent lets go to `name` and that it has not received yet
/// (or all of them), measured and hashed as they will leave.
fn select_outgoing(
    tx: &Transaction<'_>,
    name: &str,
    key: &str,
    all: bool,
) -> Result<Vec<Outgoing>, StoreError> {
    let mut outgoing = Vec::new();
    let mut st = tx.prepare(
        "SELECT t.id, r.hash, r.body FROM testimonies t
         JOIN revisions r ON r.hash = t.current_revision
         WHERE t.purged_at IS NULL AND r.body IS NOT NULL
           AND (?2 OR NOT EXISTS (SELECT 1 FROM deliveries d
                                  WHERE d.recipient = ?1 AND d.revision = r.hash))
         ORDER BY t.n",
    )?;
    let mut rows = st.query(params![key, all])?;
    while let Some(row) = rows.next()? {
        let (id, source_revision, body): (String, String, Vec<u8>) =
            (row.get(0)?, row.get(1)?, row.get(2)?);
        let doc: Value = serde_json::from_slice(&body)?;
        if !share_with(&doc["content"]).any(|n| same_name(n, name)) {
            continue;
        }
        let (bytes, _) = outgoing_bytes(&body)?;
        outgoing.push(Outgoing {
            id,
            source_revision,
            hash: canonical::sha256_hex(&bytes),
            size: bytes.len() as u64,
        });
    }
    Ok(outgoing)
}

impl Store {
    /// Writes one bundle for the recipient called `name` to `out` (never over an existing
    /// file). The export is recorded in the ledger and in the deliveries, in one transaction
    /// that commits only once the file is complete.
    pub fn export(
        &mut self,
        name: &str,
        out: &Path,
        opts: ExportOptions,
    ) -> Result<ExportReport, StoreError> {
        let (name, key) = self
            .recipients()?
            .into_iter()
            .find(|r| same_name(&r.name, name))
            .map(|r| (r.name, r.recipient))
            .ok_or_else(|| BundleError::UnknownRecipient {
                name: name.trim().to_owned(),
            })?;
        let recipient = parse_recipient(&key)?;
        if out.exists() {
            return Err(BundleError::OutputExists {
                path: out.to_path_buf(),
            }
            .into());
        }
        let device_name = self.device_name()?;
        let bundle_id = uuid::Uuid::now_v7().to_string();
        let at = now();
        let tx = self.conn.transaction()?;
        let outgoing = select_outgoing(&tx, &name, &key, opts.all)?;
        if outgoing.is_empty() {
            return Err(BundleError::NothingToExport { name }.into());
        }
        for o in &outgoing {
            ledger::append(&tx, &self.keys, "export", &o.id, Some(&o.hash), &at)?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO deliveries (recipient, revision, exported, bundle_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![key, o.source_revision, o.hash, bundle_id, at])?;
        }
        tx.execute(
            "INSERT INTO exports (bundle_id, recipient, at) VALUES (?1, ?2, ?3)",
            params![bundle_id, key, at],
        )?;

        // First pass over the ledger: its size, hash and range.
        let ids: HashSet<&str> = outgoing.iter().map(|o| o.id.as_str()).collect();
        let (mut ledger_size, mut ledger_hash) = (0u64, Context::new(&SHA256));
        let mut range: Option<(i64, i64)> = None;
        each_ledger_line(&tx, &ids, |e, line| {
            ledger_size += line.len() as u64;
            ledger_hash.update(line);
            range = Some((range.map_or(e.seq, |r| r.0), e.seq));
            Ok(())
        })?;
        let mut files = Vec::with_capacity(outgoing.len() + 1);
        files.push(FileEntry {
            path: "ledger.jsonl".into(),
            size: ledger_size,
            sha256: canonical::hex(ledger_hash.finish().as_ref()),
        });
        files.extend(outgoing.iter().map(|o| FileEntry {
            path: record_path(o),
            size: o.size,
            sha256: o.hash.clone(),
        }));
        let (first, last) = range.unwrap_or((0, 0));
        let manifest_bytes = canonical::to_bytes(&Manifest {
            format: FORMAT.into(),
            bundle_id: bundle_id.clone(),
            created: at.clone(),
            sender: Sender {
                device_key: self.keys.public_key_b64(),
                age_recipient: self.keys.age_recipient(),
                name: device_name,
            },
            ledger: LedgerRange { first, last },
            entries: files,
        })?;
        let sig = self.keys.sign_b64(&manifest_bytes) + "\n";

        // Second pass: the same bytes, written. The transaction keeps them the same, and
        // the tar writer refuses a file whose size differs from its header.
        let tmp = out.with_file_name(format!(".aigaq-export-{bundle_id}.part"));
        let written = write_encrypted(&tmp, &recipient, opts.armor, 0, |w| {
            let io = io_err("write", &tmp);
            let mut tar = TarOut::new(w);
            tar.file("manifest.json", &manifest_bytes).map_err(&io)?;
            tar.file("manifest.sig", sig.as_bytes()).map_err(&io)?;
            tar.begin("ledger.jsonl", ledger_size).map_err(&io)?;
            each_ledger_line(&tx, &ids, |_, line| Ok(tar.data(line).map_err(&io)?))?;
            for o in &outgoing {
                let (bytes, _) = outgoing_bytes(&revision_body(&tx, &o.source_revision)?)?;
                tar.file(&record_path(o), &bytes).map_err(&io)?;
            }
            Ok(tar.finish().map_err(&io)?)
        });
        let finish = written.and_then(|bytes| {
            tx.commit()?;
            publish(&tmp, out)?;
            Ok(bytes)
        });
        let _ = fs::remove_file(&tmp);
        let bytes = finish?;
        self.changed.set(true);
        Ok(ExportReport {
            recipient: name,
            bundle_id,
            path: out.to_path_buf(),
            records: outgoing.len(),
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_contacts_leave_only_when_the_witness_agreed_to_be_named() {
        let doc = |identity: &str| {
            canonical::to_bytes(&serde_json::json!({"content": {
                "consent": {"identity": identity},
                "witness": {"name": "Real Name", "contact": "+7 700", "pseudonym": "W-1"}}}))
            .unwrap()
        };
        let (named, changed) = outgoing_bytes(&doc("named")).unwrap();
        assert!(!changed && String::from_utf8(named).unwrap().contains("Real Name"));
        for identity in ["pseudonymous", "anonymous"] {
            let (out, changed) = outgoing_bytes(&doc(identity)).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(changed && !text.contains("Real Name") && !text.contains("+7 700"));
            assert!(text.contains("W-1"));
        }
    }
}
