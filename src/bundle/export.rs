//! Writing an `aigaq-bundle/1` for one organisation: the testimonies its consent allows,
//! with the witness's name and contact removed unless the witness agreed to be named, as a
//! signed tar stream encrypted with age to the organisation's key. The manifest must come
//! first and list every file's size and hash, so the records and the ledger are read twice:
//! once to measure and hash them, once to write them. Memory does not grow with the bundle.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use ring::digest::{Context, SHA256};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Deserialize;
use serde_json::Value;

use super::age_file::{commit_and_publish, io_err, write_encrypted};
use super::manifest::{FileEntry, LedgerRange, Manifest, Sender, FORMAT};
use super::org_key::parse_recipient;
use super::tar_out::TarOut;
use super::BundleError;
use crate::canonical;
use crate::custody::{ledger, Entry};
use crate::media::strip;
use crate::store::attachments::{blob_or_io, open_blob, AttachmentRef};
use crate::store::blobs::BlobDir;
use crate::store::{now, Store, StoreError};

/// How to export.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// Everything the recipient may receive, not only what it has not received yet.
    pub all: bool,
    /// ASCII-armored age output, for text channels.
    pub armor: bool,
    /// Send JPEG and PNG attachments as derivatives without their metadata (EXIF, XMP,
    /// comments); the originals in the vault are not touched.
    pub strip_metadata: bool,
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
    /// Attachments in it.
    pub attachments: usize,
    /// Their bytes.
    pub attachment_bytes: u64,
    /// Names of attachments sent with metadata that can endanger people (without
    /// `--strip-metadata`, or of a type that cannot be stripped).
    pub sent_with_metadata: Vec<String>,
}

/// A record on its way out. Its bytes are kept while they fit in [`KEEP_BYTES`] in all, and
/// made again from the database when written otherwise.
struct Outgoing {
    id: String,
    source_revision: String,
    hash: String,
    size: u64,
    bytes: Option<Vec<u8>>,
}

/// Outgoing record bytes kept between the two passes: enough for most bundles, bounded so
/// that memory does not grow with a large one.
const KEEP_BYTES: usize = 32 * 1024 * 1024;

/// Ledger lines kept between the two passes, at most (about 25,000 entries); a longer
/// ledger is read again.
const LEDGER_KEEP_BYTES: u64 = 8 * 1024 * 1024;

/// A derivative of an attachment without its metadata.
#[derive(Clone)]
struct Derivative {
    sha256: String,
    size: u64,
    removed: Vec<String>,
}

/// Attachment content on its way out: the original, or a derivative made from it.
struct OutgoingBlob {
    sha256: String,
    size: u64,
    original: String,
    media_type: String,
    derived: bool,
}

/// What goes with the records: derivatives made (by original hash) and content to send.
#[derive(Default)]
struct Plan {
    derivatives: HashMap<String, Option<Derivative>>,
    blobs: Vec<OutgoingBlob>,
    sent: HashSet<String>,
    with_metadata: Vec<String>,
}

/// Counts and hashes what is written.
struct HashSink {
    hash: Context,
    size: u64,
}

impl std::io::Write for HashSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.hash.update(buf);
        self.size += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn derivative(
    tx: &Transaction<'_>,
    blobs: &BlobDir,
    a: &AttachmentRef,
) -> Result<Option<Derivative>, StoreError> {
    if !strip::supported(&a.media_type) {
        return Ok(None);
    }
    let mut reader = open_blob(tx, blobs, &a.sha256)?;
    let mut sink = HashSink {
        hash: Context::new(&SHA256),
        size: 0,
    };
    let removed = match strip::strip(&a.media_type, &mut reader, &mut sink) {
        Ok(Some(removed)) => removed,
        // An image that cannot be parsed is sent as it is, and reported.
        Ok(None) | Err(_) => return Ok(None),
    };
    if removed.is_empty() {
        return Ok(None);
    }
    Ok(Some(Derivative {
        sha256: canonical::hex(sink.hash.finish().as_ref()),
        size: sink.size,
        removed,
    }))
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
/// the witness agreed to be named, and listing derivatives in place of the attachments
/// they were made from. A record that differs from the stored revision names it in
/// `exported_from`, which links it to the ledger entry of that revision. `doc` is `stored`
/// parsed.
fn outgoing_bytes(
    stored: &[u8],
    mut doc: Value,
    derivatives: &HashMap<String, Option<Derivative>>,
) -> Result<(Vec<u8>, bool), StoreError> {
    let named = doc["content"]["consent"]["identity"] == "named";
    let mut changed = false;
    if !named {
        if let Some(w) = doc["content"]
            .get_mut("witness")
            .and_then(Value::as_object_mut)
        {
            changed |= w.remove("name").is_some();
            changed |= w.remove("contact").is_some();
        }
    }
    if let Some(list) = doc.get_mut("attachments").and_then(Value::as_array_mut) {
        for item in list.iter_mut() {
            let mut a = AttachmentRef::deserialize(&*item)?;
            if let Some(Some(d)) = derivatives.get(&a.sha256) {
                a.derived_from = Some(std::mem::replace(&mut a.sha256, d.sha256.clone()));
                a.size = d.size;
                a.removed_metadata = d.removed.clone();
                *item = serde_json::to_value(&a)?;
                changed = true;
            }
        }
    }
    if !changed {
        return Ok((stored.to_vec(), false));
    }
    if let Some(o) = doc.as_object_mut() {
        o.insert(
            "exported_from".into(),
            Value::String(canonical::sha256_hex(stored)),
        );
    }
    Ok((canonical::value_to_bytes(&doc), true))
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
        e.write_canonical(&mut line);
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

/// A stored revision read for export.
struct Row {
    id: String,
    source_revision: String,
    body: Vec<u8>,
}

/// A revision that may go, prepared off the database thread: parsed, and, when no
/// derivative can change it, already in the form it leaves in, with its hash.
struct Prepared {
    row: Row,
    doc: Option<Value>,
    attachments: Vec<AttachmentRef>,
    ready: Option<(Vec<u8>, String)>,
}

/// Stored revision bytes read but not yet taken back from the preparing thread, at most:
/// bounds memory whatever the vault's size.
const PREPARING_BYTES: usize = 8 * 1024 * 1024;

/// Parses a stored revision and, unless derivatives may change it (`strip` and attachments
/// listed), makes its outgoing bytes; `None` when consent does not let it go to `name`.
fn prepare(row: Row, name: &str, strip: bool) -> Result<Option<Prepared>, StoreError> {
    let doc: Value = serde_json::from_slice(&row.body)?;
    if !share_with(&doc["content"]).any(|n| same_name(n, name)) {
        return Ok(None);
    }
    let attachments = match doc.get("attachments") {
        Some(list) => Vec::<AttachmentRef>::deserialize(list)?,
        None => Vec::new(),
    };
    // Derivatives are made only with --strip-metadata, and only for attachments listed.
    if strip && !attachments.is_empty() {
        return Ok(Some(Prepared {
            row,
            doc: Some(doc),
            attachments,
            ready: None,
        }));
    }
    let (bytes, _) = outgoing_bytes(&row.body, doc, &HashMap::new())?;
    let hash = canonical::sha256_hex(&bytes);
    Ok(Some(Prepared {
        row,
        doc: None,
        attachments,
        ready: Some((bytes, hash)),
    }))
}

/// The current revisions that consent lets go to `name` and that it has not received yet
/// (or all of them), measured and hashed as they will leave. Rows are read here while a
/// second thread parses and encodes them.
fn select_outgoing(
    tx: &Transaction<'_>,
    blobs: &BlobDir,
    name: &str,
    key: &str,
    opts: ExportOptions,
    plan: &mut Plan,
) -> Result<Vec<Outgoing>, StoreError> {
    let mut outgoing = Vec::new();
    let mut kept = 0usize;
    let mut take = |p: Prepared, plan: &mut Plan| -> Result<(), StoreError> {
        for a in &p.attachments {
            plan_attachment(tx, blobs, key, opts, plan, a)?;
        }
        let (bytes, hash) = match (p.ready, p.doc) {
            (Some(ready), _) => ready,
            (None, Some(doc)) => {
                let (bytes, _) = outgoing_bytes(&p.row.body, doc, &plan.derivatives)?;
                let hash = canonical::sha256_hex(&bytes);
                (bytes, hash)
            }
            (None, None) => {
                let doc = serde_json::from_slice(&p.row.body)?;
                let (bytes, _) = outgoing_bytes(&p.row.body, doc, &plan.derivatives)?;
                let hash = canonical::sha256_hex(&bytes);
                (bytes, hash)
            }
        };
        let keep = kept + bytes.len() <= KEEP_BYTES;
        if keep {
            kept += bytes.len();
        }
        outgoing.push(Outgoing {
            id: p.row.id,
            source_revision: p.row.source_revision,
            hash,
            size: bytes.len() as u64,
            bytes: keep.then_some(bytes),
        });
        Ok(())
    };
    let strip = opts.strip_metadata;
    let mut st = tx.prepare(
        "SELECT t.id, r.hash, r.body FROM testimonies t
         JOIN revisions r ON r.hash = t.current_revision
         WHERE t.purged_at IS NULL AND r.body IS NOT NULL
           AND (?2 OR NOT EXISTS (SELECT 1 FROM deliveries d
                                  WHERE d.recipient = ?1 AND d.revision = r.hash))
         ORDER BY t.n",
    )?;
    let mut rows = st.query(params![key, opts.all])?;
    std::thread::scope(|scope| -> Result<(), StoreError> {
        let (jobs, todo) = std::sync::mpsc::channel::<Row>();
        let (finished, done) = std::sync::mpsc::channel();
        let inline = finished.clone();
        let worker = std::thread::Builder::new()
            .name("aigaq-export-records".into())
            .spawn_scoped(scope, move || {
                for row in todo {
                    let size = row.body.len();
                    if finished.send((size, prepare(row, name, strip))).is_err() {
                        return;
                    }
                }
            });
        // Without a thread (the OS refused one), each row is prepared as it is read.
        // Only one sender may stay open, or the final wait below would never end.
        let (mut jobs, mut inline) = match worker {
            Ok(_) => {
                drop(inline);
                (Some(jobs), None)
            }
            Err(_) => (None, Some(inline)),
        };
        let (mut sent, mut taken, mut in_flight) = (0usize, 0usize, 0usize);
        let mut take_back = |wait: bool, taken: &mut usize, in_flight: &mut usize| {
            let got = if wait {
                done.recv().ok()
            } else {
                done.try_recv().ok()
            };
            let Some((size, prepared)) = got else {
                return Ok::<_, StoreError>(false);
            };
            *taken += 1;
            *in_flight -= size;
            if let Some(p) = prepared? {
                take(p, plan)?;
            }
            Ok(true)
        };
        while let Some(row) = rows.next()? {
            let row = Row {
                id: row.get(0)?,
                source_revision: row.get(1)?,
                body: row.get(2)?,
            };
            let size = row.body.len();
            let queued = match (&jobs, &inline) {
                (Some(q), _) => q.send(row).is_ok(),
                (None, Some(me)) => me.send((size, prepare(row, name, strip))).is_ok(),
                (None, None) => false,
            };
            if !queued {
                return Err(BundleError::Interrupted.into());
            }
            sent += 1;
            in_flight += size;
            while take_back(in_flight > PREPARING_BYTES, &mut taken, &mut in_flight)? {}
        }
        // Closing the queue lets the thread finish; everything it still holds is taken
        // back (the results channel closes when it is done).
        jobs.take();
        inline.take();
        while take_back(true, &mut taken, &mut in_flight)? {}
        if taken != sent {
            return Err(BundleError::Interrupted.into());
        }
        Ok(())
    })?;
    Ok(outgoing)
}

/// Decides how one attachment goes: as it is or as a derivative, and whether its content
/// must be sent (not when the recipient holds it already, unless `--all`).
fn plan_attachment(
    tx: &Transaction<'_>,
    blobs: &BlobDir,
    key: &str,
    opts: ExportOptions,
    plan: &mut Plan,
    a: &AttachmentRef,
) -> Result<(), StoreError> {
    if !plan.derivatives.contains_key(&a.sha256) {
        let d = if opts.strip_metadata {
            derivative(tx, blobs, a)?
        } else {
            None
        };
        let risky: Option<String> = tx
            .prepare_cached("SELECT metadata FROM blobs WHERE sha256 = ?1")?
            .query_row([&a.sha256], |r| r.get(0))
            .optional()?;
        if d.is_none() && risky.is_some_and(|m| m != "[]") {
            plan.with_metadata.push(a.name.clone());
        }
        plan.derivatives.insert(a.sha256.clone(), d);
    }
    let (sha256, size, derived) = match &plan.derivatives[&a.sha256] {
        Some(d) => (d.sha256.clone(), d.size, true),
        None => (a.sha256.clone(), a.size, false),
    };
    if plan.sent.contains(&sha256) {
        return Ok(());
    }
    let held: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM blob_deliveries WHERE recipient = ?1 AND sha256 = ?2")?
        .query_row(params![key, sha256], |r| r.get(0))
        .optional()?;
    if held.is_some() && !opts.all {
        return Ok(());
    }
    plan.sent.insert(sha256.clone());
    plan.blobs.push(OutgoingBlob {
        sha256,
        size,
        original: a.sha256.clone(),
        media_type: a.media_type.clone(),
        derived,
    });
    Ok(())
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
        let mut plan = Plan::default();
        let outgoing = select_outgoing(&tx, &self.blobs, &name, &key, opts, &mut plan)?;
        if outgoing.is_empty() {
            return Err(BundleError::NothingToExport { name }.into());
        }
        // In the order of the deliveries table's key: each row then lands next to the one
        // before, where random order would split pages all over its index.
        let mut by_revision: Vec<&Outgoing> = outgoing.iter().collect();
        by_revision.sort_unstable_by(|a, b| a.source_revision.cmp(&b.source_revision));
        for o in by_revision {
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
        for b in &plan.blobs {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO blob_deliveries (recipient, sha256, bundle_id)
                 VALUES (?1, ?2, ?3)",
            )?
            .execute(params![key, b.sha256, bundle_id])?;
        }

        // First pass over the ledger: its size, hash and range, and its lines while they
        // fit in LEDGER_KEEP_BYTES (then the second pass need not read it again).
        let ids: HashSet<&str> = outgoing.iter().map(|o| o.id.as_str()).collect();
        let (mut ledger_size, mut ledger_hash) = (0u64, Context::new(&SHA256));
        let mut range: Option<(i64, i64)> = None;
        let mut ledger_kept = Some(Vec::new());
        each_ledger_line(&tx, &ids, |e, line| {
            ledger_size += line.len() as u64;
            ledger_hash.update(line);
            range = Some((range.map_or(e.seq, |r| r.0), e.seq));
            if ledger_size > LEDGER_KEEP_BYTES {
                ledger_kept = None;
            }
            if let Some(kept) = &mut ledger_kept {
                kept.extend_from_slice(line);
            }
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
        files.extend(plan.blobs.iter().map(|b| FileEntry {
            path: format!("attachments/{}", b.sha256),
            size: b.size,
            sha256: b.sha256.clone(),
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
        // The export is one ledger entry: the bundle, and the hash of the manifest that
        // lists every file in it.
        ledger::append(
            &tx,
            &self.keys,
            "export",
            &bundle_id,
            Some(&canonical::sha256_hex(&manifest_bytes)),
            &at,
        )?;

        // Second pass: the same bytes, written. The transaction keeps them the same, and
        // the tar writer refuses a file whose size differs from its header.
        let tmp = out.with_file_name(format!(".aigaq-export-{bundle_id}.part"));
        let written = write_encrypted(&tmp, &recipient, opts.armor, 0, |w| {
            let io = io_err("write", &tmp);
            let mut tar = TarOut::new(w);
            tar.file("manifest.json", &manifest_bytes).map_err(&io)?;
            tar.file("manifest.sig", sig.as_bytes()).map_err(&io)?;
            tar.begin("ledger.jsonl", ledger_size).map_err(&io)?;
            match &ledger_kept {
                Some(lines) => tar.data(lines).map_err(&io)?,
                None => {
                    each_ledger_line(&tx, &ids, |_, line| Ok(tar.data(line).map_err(&io)?))?;
                }
            }
            for o in &outgoing {
                match &o.bytes {
                    Some(bytes) => tar.file(&record_path(o), bytes).map_err(&io)?,
                    None => {
                        let body = revision_body(&tx, &o.source_revision)?;
                        let doc = serde_json::from_slice(&body)?;
                        let (bytes, _) = outgoing_bytes(&body, doc, &plan.derivatives)?;
                        tar.file(&record_path(o), &bytes).map_err(&io)?;
                    }
                }
            }
            // Attachments after the records that name them, so a reader can check each one
            // is expected before it streams it.
            for b in &plan.blobs {
                tar.begin(&format!("attachments/{}", b.sha256), b.size)
                    .map_err(&io)?;
                let mut reader = open_blob(&tx, &self.blobs, &b.original)?;
                if b.derived {
                    strip::strip(&b.media_type, &mut reader, &mut tar)
                        .map_err(|e| blob_or_io(e, &tmp))?;
                } else {
                    reader.copy_to(&mut tar).map_err(|e| blob_or_io(e, &tmp))?;
                }
            }
            Ok(tar.finish().map_err(&io)?)
        });
        let bytes = commit_and_publish(written, tx, &tmp, out)?;
        self.changed.set(true);
        Ok(ExportReport {
            recipient: name,
            bundle_id,
            path: out.to_path_buf(),
            records: outgoing.len(),
            bytes,
            attachments: plan.blobs.len(),
            attachment_bytes: plan.blobs.iter().map(|b| b.size).sum(),
            sent_with_metadata: plan.with_metadata,
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
        let d = doc("named");
        let (named, changed) =
            outgoing_bytes(&d, serde_json::from_slice(&d).unwrap(), &HashMap::new()).unwrap();
        assert!(!changed && String::from_utf8(named).unwrap().contains("Real Name"));
        for identity in ["pseudonymous", "anonymous"] {
            let d = doc(identity);
            let (out, changed) =
                outgoing_bytes(&d, serde_json::from_slice(&d).unwrap(), &HashMap::new()).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(changed && !text.contains("Real Name") && !text.contains("+7 700"));
            assert!(text.contains("W-1"));
        }
    }
}
