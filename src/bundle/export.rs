//! Writing an `aigaq-bundle/1` for one organisation: the testimonies its consent allows,
//! with the witness's name and contact removed unless the witness agreed to be named, as a
//! signed tar stream encrypted with age to the organisation's key. The manifest must come
//! first and list every file's size and hash, so the records and the ledger are read twice:
//! once to measure and hash them, once to write them. Memory does not grow with the bundle.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use ring::digest::{Context, SHA256};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Deserialize;
use serde_json::Value;

use super::age_file::{commit_and_publish, io_err, write_encrypted};
use super::glance::Glance;
use super::manifest::{EntryRef, LedgerRange, Manifest, Sender, FORMAT};
use super::org_key::parse_recipient;
use super::tar_out::{self, TarOut};
use super::BundleError;
use crate::canonical;
use crate::custody::{ledger, Entry};
use crate::media::{strip, telemetry};
use crate::progress::{Progress, Reporter, ReportingWriter};
use crate::store::attachments::{blob_or_io, described, open_blob, AttachmentRef};
use crate::store::blobs::{BlobDir, BlobReader, BlobWriter, Written};
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

/// What `export_each` wrote, and for whom there was nothing new.
#[derive(Debug, Default, serde::Serialize)]
pub struct ExportedEach {
    /// The bundles written, in the order the recipients were given.
    pub written: Vec<ExportReport>,
    /// Recipients that had nothing new, so got no bundle.
    pub nothing_new: Vec<String>,
    /// The recipient whose export failed after others' bundles were written, and why; the
    /// recipients after it were not tried.
    #[serde(skip)]
    pub failed: Option<(String, StoreError)>,
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
    /// Attachments sent as copies without their metadata (`--strip-metadata`), and what
    /// each copy left out.
    pub stripped: Vec<StrippedFile>,
    /// Testimonies that would have made the bundle larger than a receiver reads (see
    /// [`Limits`]): left for the next export, which sends what the recipient has not
    /// received yet.
    pub left_for_next: usize,
}

/// An attachment sent as a copy without its metadata.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StrippedFile {
    /// Its name.
    pub name: String,
    /// What the copy left out, as in the record's `removed_metadata`.
    pub removed: Vec<String>,
}

/// How large a bundle may grow: what the reader accepts ([`inspect`](super::inspect)'s
/// limits), so that export never writes a bundle its recipient would refuse.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// The whole tar stream.
    total: u64,
    /// `manifest.json`, and `ledger.jsonl`.
    index: u64,
    /// Files in the tar.
    files: usize,
    /// Testimonies in one bundle: what export holds per testimony (its entry in the
    /// manifest, which is signed whole) and what import holds per record (the manifest's
    /// index) stay under 100 MiB of memory up to this many.
    records: usize,
}

impl Limits {
    pub(crate) const READER: Limits = Limits {
        total: super::inspect::MAX_TOTAL_BYTES,
        index: super::inspect::MAX_INDEX_BYTES,
        files: super::inspect::MAX_FILES,
        records: MAX_RECORDS,
    };

    /// Bytes records and attachments may take in the tar: the rest is kept for the
    /// manifest, its signature and the ledger, each of which may take up to `index`.
    fn for_content(&self) -> u64 {
        self.total
            .saturating_sub(2 * self.index + 8 * tar_out::BLOCK as u64)
    }
}

/// Testimonies one bundle carries at most; more wait for the next export.
pub const MAX_RECORDS: usize = 100_000;

/// Bytes an entry takes in the manifest's list: `{"path":…,"sha256":"…","size":…},`.
fn in_manifest(path_len: usize, size: u64) -> u64 {
    // Paths made here need no escaping; the size is at most 20 digits.
    (path_len + size.to_string().len() + 64 + 32) as u64
}

/// A record on its way out: what the manifest lists of it, and its bytes while the records
/// kept so far fit in [`KEEP_BYTES`] (the others wait in the [`Spool`]). Kept compact
/// (hashes as bytes) since one is held per record until the bundle is written.
struct Outgoing {
    id: String,
    source_revision: [u8; 32],
    hash: [u8; 32],
    size: u64,
    bytes: Option<Vec<u8>>,
}

/// Outgoing record bytes kept in memory between the two passes, the first records' only:
/// a small bundle is written straight from memory, and memory does not grow with a large
/// one, whose other records wait in a [`Spool`].
const KEEP_BYTES: usize = 8 * 1024 * 1024;

/// The outgoing bytes of the records not kept in memory, in order, from the first pass to
/// the second: an encrypted file like an attachment's in the vault's folder, under a key
/// only this export holds, removed when it ends (or by the vault's sweep of unfinished
/// files after a crash). Reading it back costs much less than reading and preparing the
/// records again.
struct Spool {
    writer: Option<BlobWriter>,
    written: Option<Written>,
    pending: Vec<u8>,
}

/// Spooled bytes gathered before they are written, at most.
const SPOOL_BATCH: usize = 1024 * 1024;

impl Spool {
    fn new() -> Self {
        Spool {
            writer: None,
            written: None,
            pending: Vec::new(),
        }
    }

    fn push(&mut self, blobs: &BlobDir, bytes: &[u8]) -> Result<(), StoreError> {
        if self.writer.is_none() {
            self.writer = Some(blobs.create()?);
            self.pending.reserve(SPOOL_BATCH);
        }
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= SPOOL_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        if let Some(w) = self.writer.as_mut() {
            let batch = std::mem::replace(&mut self.pending, Vec::with_capacity(SPOOL_BATCH));
            w.write_batch(batch)?;
        }
        Ok(())
    }

    /// Ends the first pass.
    fn finish(&mut self) -> Result<(), StoreError> {
        self.flush()?;
        self.pending = Vec::new();
        if let Some(w) = self.writer.take() {
            self.written = Some(w.finish()?);
        }
        Ok(())
    }

    /// The spooled bytes, from the start.
    fn reader(&self, blobs: &BlobDir) -> Result<Option<BlobReader>, StoreError> {
        let Some(w) = &self.written else {
            return Ok(None);
        };
        let name = w
            .tmp
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or(BundleError::Interrupted)?;
        Ok(Some(blobs.open(name, &w.key[..], &w.sha256, w.size)?))
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if let Some(w) = self.writer.take() {
            w.abandon();
        }
        if let Some(w) = self.written.take() {
            w.discard();
        }
    }
}

/// Ledger lines kept between the two passes, at most (about 12,000 entries); a longer
/// ledger is read again.
const LEDGER_KEEP_BYTES: u64 = 4 * 1024 * 1024;

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
    stripped: Vec<StrippedFile>,
}

impl Plan {
    /// How much is planned: what [`Self::undo_to`] goes back to.
    fn mark(&self) -> [usize; 3] {
        [
            self.blobs.len(),
            self.with_metadata.len(),
            self.stripped.len(),
        ]
    }

    /// Forgets what was planned since `mark`: its record is not going.
    fn undo_to(&mut self, [blobs, with_metadata, stripped]: [usize; 3]) {
        for b in self.blobs.drain(blobs..) {
            self.sent.remove(&b.sha256);
        }
        self.with_metadata.truncate(with_metadata);
        self.stripped.truncate(stripped);
    }
}

/// Counts and hashes what is written.
struct HashSink {
    hash: Context,
    size: u64,
    /// Looks at the derivative as the attach did at the original, to check that what it
    /// flagged there is gone.
    sniffer: crate::media::Sniffer,
}

impl std::io::Write for HashSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.hash.update(buf);
        self.size += buf.len() as u64;
        self.sniffer.feed(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Photos and videos: what cameras and phones fill with where, when and with what they
/// were taken. (Sound recordings in formats Aigaq cannot strip go as they are, with a
/// warning when their metadata was found: refusing them would stop every interview
/// recorded as AAC or AMR.)
fn is_camera_media(media_type: &str) -> bool {
    media_type.starts_with("image/") || media_type.starts_with("video/")
}

/// A derivative without metadata, `Ok(None)` when stripping leaves the file as it is, or
/// why none could be made.
fn derivative(
    tx: &Transaction<'_>,
    blobs: &BlobDir,
    a: &AttachmentRef,
    media_type: &str,
) -> Result<Result<Option<Derivative>, String>, StoreError> {
    let unsupported = || format!("Aigaq cannot remove metadata from {media_type} files");
    // Known before the content is opened and decrypted.
    if !strip::supported(media_type) {
        return Ok(Err(unsupported()));
    }
    let mut sink = HashSink {
        hash: Context::new(&SHA256),
        size: 0,
        sniffer: crate::media::Sniffer::new(),
    };
    let removed = match strip_stored(tx, blobs, &a.sha256, media_type, &mut sink)? {
        Ok(Some(removed)) => removed,
        Ok(None) => return Ok(Err(unsupported())),
        Err(e) => return Ok(Err(format!("it could not be read as {media_type} ({e})"))),
    };
    if removed.is_empty() {
        return Ok(Ok(None));
    }
    // The stripper and the detector know the formats separately: metadata the detector
    // still finds in the copy is metadata the stripper missed.
    let (_, left) = sink.sniffer.describe();
    if let Some(w) = left.first() {
        return Ok(Err(format!(
            "its {} is still there after stripping, in a place Aigaq does not remove it from",
            w.field
        )));
    }
    Ok(Ok(Some(Derivative {
        sha256: canonical::hex(sink.hash.finish().as_ref()),
        size: sink.size,
        removed,
    })))
}

/// Copies a stored attachment to `out` without its metadata (see [`strip::strip`]). A
/// video's or a HEIF photo's index is read first, by a reader of its own that seeks (only box
/// headers and the `moov` or `meta` are decrypted), to find the telemetry and timecode
/// samples or the EXIF and XMP items to blank; the copy is made by another, which checks the
/// whole content against its SHA-256.
fn strip_stored(
    conn: &rusqlite::Connection,
    blobs: &BlobDir,
    sha256: &str,
    media_type: &str,
    out: &mut dyn std::io::Write,
) -> Result<std::io::Result<Option<Vec<String>>>, StoreError> {
    let plan = if strip::reads_index(media_type) {
        match strip::plan(media_type, &mut open_blob(conn, blobs, sha256)?) {
            Ok(plan) => plan,
            Err(e) => return Ok(Err(e)),
        }
    } else {
        telemetry::Plan::default()
    };
    let mut reader = open_blob(conn, blobs, sha256)?;
    Ok(strip::strip(media_type, &mut reader, &plan, out))
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

fn record_path(o: &Outgoing) -> String {
    format!("records/{}/{}.json", o.id, canonical::hex(&o.hash))
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
    ready: Option<(Vec<u8>, [u8; 32])>,
}

/// Stored revision bytes read but not yet taken back from the preparing thread, at most:
/// bounds memory whatever the vault's size.
const PREPARING_BYTES: usize = 8 * 1024 * 1024;

/// Parses a stored revision and, unless derivatives may change it (`strip` and attachments
/// listed), makes its outgoing bytes; `None` when consent does not let it go to `name`.
/// Most revisions leave as they are stored: a [`Glance`] tells which without building the
/// whole document.
fn prepare(mut row: Row, name: &str, strip: bool) -> Result<Option<Prepared>, StoreError> {
    let Some(glance) = Glance::of(&row.body) else {
        return prepare_whole(row, name, strip);
    };
    if !glance.share_with().any(|n| same_name(n, name)) {
        return Ok(None);
    }
    if (strip && !glance.attachments.is_empty()) || glance.identity_leaves_out_something() {
        return prepare_whole(row, name, strip);
    }
    let attachments = glance.attachments;
    let bytes = std::mem::take(&mut row.body);
    Ok(Some(Prepared::ready(row, attachments, bytes)))
}

/// [`prepare`] with the whole document built.
fn prepare_whole(row: Row, name: &str, strip: bool) -> Result<Option<Prepared>, StoreError> {
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
    Ok(Some(Prepared::ready(row, attachments, bytes)))
}

impl Prepared {
    /// A revision whose outgoing bytes are known.
    fn ready(row: Row, attachments: Vec<AttachmentRef>, bytes: Vec<u8>) -> Self {
        let hash = canonical::sha256(&bytes);
        Prepared {
            row,
            doc: None,
            attachments,
            ready: Some((bytes, hash)),
        }
    }

    /// The bytes this revision leaves in, and their SHA-256.
    fn outgoing(
        self,
        derivatives: &HashMap<String, Option<Derivative>>,
    ) -> Result<(Vec<u8>, [u8; 32]), StoreError> {
        if let Some(ready) = self.ready {
            return Ok(ready);
        }
        let doc = match self.doc {
            Some(doc) => doc,
            None => serde_json::from_slice(&self.row.body)?,
        };
        let (bytes, _) = outgoing_bytes(&self.row.body, doc, derivatives)?;
        let hash = canonical::sha256(&bytes);
        Ok((bytes, hash))
    }
}

/// What one export reads, and for whom.
#[derive(Clone, Copy)]
struct Source<'a, 'c> {
    tx: &'a Transaction<'c>,
    blobs: &'a BlobDir,
    /// The recipient's name, as consent names it.
    name: &'a str,
    /// The recipient's `age1…` key, which deliveries are recorded under.
    key: &'a str,
    opts: ExportOptions,
}

/// The current revisions that consent lets go to the recipient and that it has not received
/// yet (or all of them), prepared, in the vault's order: handed to `take` one by one. Rows
/// are read here while a second thread parses and encodes them.
/// The current revisions an export to a recipient (`?1`, its key) may consider: with `?2`
/// (`--all`) every one, else those it has not received yet. Consent is read from each.
const OUTGOING: &str = "SELECT t.id, r.hash, r.body FROM testimonies t
     JOIN revisions r ON r.hash = t.current_revision
     WHERE t.purged_at IS NULL AND r.body IS NOT NULL
       AND (?2 OR NOT EXISTS (SELECT 1 FROM deliveries d
                              WHERE d.recipient = ?1 AND d.revision = r.hash))
     ORDER BY t.n";

/// Whether consent lets a stored revision go to `name`.
fn consented_to(body: &[u8], name: &str) -> Result<bool, StoreError> {
    if let Some(glance) = Glance::of(body) {
        return Ok(glance.share_with().any(|n| same_name(n, name)));
    }
    let doc: Value = serde_json::from_slice(body)?;
    let consented = share_with(&doc["content"]).any(|n| same_name(n, name));
    Ok(consented)
}

fn each_outgoing(
    src: Source<'_, '_>,
    mut take: impl FnMut(Prepared) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let Source {
        tx,
        name,
        key,
        opts,
        ..
    } = src;
    let strip = opts.strip_metadata;
    let mut st = tx.prepare(OUTGOING)?;
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
                take(p)?;
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
    })
}

/// Bytes each record's lines take in `ledger.jsonl`, by record id: what taking a testimony
/// adds to the ledger, which a reader limits as it does the manifest. Kept as 16-byte ids
/// (every record id is a UUID), so that this stays a few MiB for the largest vault.
fn ledger_bytes_by_record(tx: &Transaction<'_>) -> Result<HashMap<u128, u64>, StoreError> {
    let mut sizes = HashMap::new();
    let mut line = Vec::with_capacity(512);
    ledger::for_each(tx, |e| {
        if let Ok(id) = uuid::Uuid::parse_str(&e.record) {
            line.clear();
            e.write_canonical(&mut line);
            *sizes.entry(id.as_u128()).or_insert(0) += line.len() as u64 + 1;
        }
        Ok(())
    })?;
    Ok(sizes)
}

/// First pass: what goes, measured and hashed as it will leave, with the attachments it
/// takes planned. The first records' bytes are kept, up to `keep` bytes; the others go to
/// `spool`. Also returns how many testimonies wait for the next export.
fn select_outgoing(
    src: Source<'_, '_>,
    keep: usize,
    limits: Limits,
    plan: &mut Plan,
    spool: &mut Spool,
) -> Result<(Vec<Outgoing>, usize), StoreError> {
    let blobs = src.blobs;
    let mut outgoing = Vec::new();
    let (mut kept, mut keeping) = (0usize, true);
    // What the records and attachments taken so far add to the tar, the manifest and the
    // ledger.
    let (mut content, mut listed, mut history) = (0u64, 0u64, 0u64);
    let histories = ledger_bytes_by_record(src.tx)?;
    // The manifest, its signature and the ledger are files too.
    let mut files = 3usize;
    let mut left = 0usize;
    each_outgoing(src, |p| {
        if left > 0 {
            left += 1;
            return Ok(());
        }
        let before = plan.mark();
        for a in &p.attachments {
            plan_attachment(src, plan, a)?;
        }
        let id = p.row.id.clone();
        let source_revision =
            canonical::unhex32(&p.row.source_revision).ok_or_else(|| StoreError::Damaged {
                reason: format!(
                    "revision {:?} is not named by a hash",
                    p.row.source_revision
                ),
            })?;
        let (bytes, hash) = p.outgoing(&plan.derivatives)?;
        // Whole testimonies only, in order: once one does not fit, it and every one after
        // it wait for the next export.
        let path_len = "records/".len() + id.len() + 1 + 64 + ".json".len();
        let size = bytes.len() as u64;
        let (mut more_content, mut more_listed) =
            (tar_out::size_in_tar(size), in_manifest(path_len, size));
        for b in &plan.blobs[before[0]..] {
            more_content += tar_out::size_in_tar(b.size);
            more_listed += in_manifest("attachments/".len() + 64, b.size);
        }
        let more_files = 1 + plan.blobs.len() - before[0];
        let more_history = uuid::Uuid::parse_str(&id)
            .ok()
            .and_then(|u| histories.get(&u.as_u128()).copied())
            .unwrap_or(0);
        if outgoing.is_empty() && more_history > limits.index {
            return Err(BundleError::LedgerTooLong {
                size: more_history,
                limit: limits.index,
            }
            .into());
        }
        if content + more_content > limits.for_content()
            || listed + more_listed > limits.index
            || history + more_history > limits.index
            || files + more_files > limits.files
            || outgoing.len() == limits.records
        {
            plan.undo_to(before);
            left = 1;
            return Ok(());
        }
        content += more_content;
        listed += more_listed;
        history += more_history;
        files += more_files;
        // Only a run from the first records is kept, the rest spooled in order.
        keeping &= kept.saturating_add(bytes.len()) <= keep;
        if keeping {
            kept += bytes.len();
        } else {
            spool.push(blobs, &bytes)?;
        }
        outgoing.push(Outgoing {
            id,
            source_revision,
            hash,
            size: bytes.len() as u64,
            bytes: keeping.then_some(bytes),
        });
        Ok(())
    })?;
    spool.finish()?;
    outgoing.shrink_to_fit();
    Ok((outgoing, left))
}

/// Second pass: writes every outgoing record to the tar, the kept ones from memory and the
/// rest from the spool; each must come out as the first pass measured it.
fn write_records(
    blobs: &BlobDir,
    outgoing: &[Outgoing],
    spool: &Spool,
    tar: &mut TarOut<'_>,
    io: &impl Fn(std::io::Error) -> BundleError,
) -> Result<(), StoreError> {
    let mut spooled = spool.reader(blobs)?;
    let mut buf = Vec::new();
    for o in outgoing {
        let bytes = match (&o.bytes, spooled.as_mut()) {
            (Some(bytes), _) => bytes,
            (None, Some(reader)) => {
                let size = usize::try_from(o.size).map_err(|_| BundleError::ExportUnstable)?;
                buf.resize(size, 0);
                reader
                    .read_exact(&mut buf)
                    .map_err(|_| BundleError::ExportUnstable)?;
                if canonical::sha256(&buf) != o.hash {
                    return Err(BundleError::ExportUnstable.into());
                }
                &buf
            }
            (None, None) => return Err(BundleError::ExportUnstable.into()),
        };
        tar.file(&record_path(o), bytes).map_err(io)?;
    }
    Ok(())
}

fn record_deliveries(
    tx: &Transaction<'_>,
    key: &str,
    bundle_id: &str,
    at: &str,
    outgoing: &[Outgoing],
) -> Result<(), StoreError> {
    let mut by_revision: Vec<&Outgoing> = outgoing.iter().collect();
    by_revision.sort_unstable_by_key(|o| o.source_revision);
    let mut st = tx.prepare_cached(
        "INSERT OR REPLACE INTO deliveries (recipient, revision, exported, bundle_id, at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut forms = tx.prepare_cached(
        "INSERT OR IGNORE INTO delivered_forms (recipient, exported, revision, bundle_id)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for o in by_revision {
        let (revision, exported) = (canonical::hex(&o.source_revision), canonical::hex(&o.hash));
        st.execute(params![key, revision, exported, bundle_id, at])?;
        forms.execute(params![key, exported, revision, bundle_id])?;
    }
    Ok(())
}

/// Decides how one attachment goes: as it is or as a derivative, and whether its content
/// must be sent (not when the recipient holds it already, unless `--all`).
fn plan_attachment(
    src: Source<'_, '_>,
    plan: &mut Plan,
    a: &AttachmentRef,
) -> Result<(), StoreError> {
    let Source {
        tx,
        blobs,
        key,
        opts,
        ..
    } = src;
    // The content's type and metadata as this build's detector tells them, which may know
    // more than the one that read it at attach (and than the type the revision lists).
    let (media_type, risky) = match described(tx, blobs, &a.sha256)? {
        Some(d) => (d.media_type, !d.warnings.is_empty()),
        None => (a.media_type.clone(), false),
    };
    if !plan.derivatives.contains_key(&a.sha256) {
        let d = if opts.strip_metadata {
            derivative(tx, blobs, a, &media_type)?
        } else {
            Ok(None)
        };
        // Photos and videos in a format Aigaq cannot strip may hold metadata its detector
        // does not know of either: with --strip-metadata they do not go.
        let risky = risky
            || (opts.strip_metadata
                && is_camera_media(&media_type)
                && !strip::supported(&media_type));
        let d = match d {
            Ok(Some(d)) => Some(d),
            // Asked to strip, the export does not send as it is what it found risky, nor a
            // photo or video it could not read through to strip.
            failed
                if opts.strip_metadata
                    && (risky || (failed.is_err() && is_camera_media(&media_type))) =>
            {
                return Err(BundleError::CannotStrip {
                    name: a.name.clone(),
                    sha256: a.sha256.clone(),
                    reason: failed.err().unwrap_or_else(|| {
                        "what it holds is not where Aigaq removes metadata".into()
                    }),
                }
                .into());
            }
            Ok(None) | Err(_) => None,
        };
        match &d {
            Some(d) => plan.stripped.push(StrippedFile {
                name: a.name.clone(),
                removed: d.removed.clone(),
            }),
            None if risky => plan.with_metadata.push(a.name.clone()),
            None => {}
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
        media_type,
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
        self.export_reporting(name, out, opts, &mut |_| {})
    }

    /// [`Store::export`], telling `progress` how much of the bundle is written (the tar
    /// stream inside the encryption), for a progress bar.
    pub fn export_reporting(
        &mut self,
        name: &str,
        out: &Path,
        opts: ExportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ExportReport, StoreError> {
        self.export_keeping(name, out, opts, KEEP_BYTES, Limits::READER, progress)
    }

    /// The recipient called `name` (ignoring case): its name as listed, and its key.
    fn recipient_named(&self, name: &str) -> Result<(String, String), StoreError> {
        self.recipients()?
            .into_iter()
            .find(|r| same_name(&r.name, name))
            .map(|r| (r.name, r.recipient))
            .ok_or_else(|| {
                BundleError::UnknownRecipient {
                    name: name.trim().to_owned(),
                }
                .into()
            })
    }

    /// How many testimonies an export to the recipient called `name` would carry now
    /// (with `all`, every one it may receive), writing and recording nothing; none is the
    /// error the export would give ([`BundleError::NothingToExport`]). The app asks this
    /// before it asks where to save a bundle. An export may send fewer, leaving what does
    /// not fit in one bundle for the next.
    pub fn pending_export(&self, name: &str, all: bool) -> Result<usize, StoreError> {
        let (name, key) = self.recipient_named(name)?;
        let mut st = self.conn.prepare(OUTGOING)?;
        let mut rows = st.query(params![key, all])?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            let body: Vec<u8> = row.get(2)?;
            if consented_to(&body, &name)? {
                count += 1;
            }
        }
        if count == 0 {
            return Err(BundleError::NothingToExport { name }.into());
        }
        Ok(count)
    }

    /// One bundle each for several recipients, in `folder` (made if missing) under random
    /// names. A name given twice counts once; every name must be a recipient before
    /// anything is written. A recipient with nothing new gets no bundle and is named in
    /// the result; only when none has anything is that an error.
    pub fn export_each(
        &mut self,
        names: &[String],
        folder: &Path,
        opts: ExportOptions,
    ) -> Result<ExportedEach, StoreError> {
        let known = self.recipients()?;
        let mut chosen: Vec<String> = Vec::new();
        for name in names {
            let Some(r) = known.iter().find(|r| same_name(&r.name, name)) else {
                return Err(BundleError::UnknownRecipient {
                    name: name.trim().to_owned(),
                }
                .into());
            };
            if !chosen.contains(&r.name) {
                chosen.push(r.name.clone());
            }
        }
        let made = !folder.exists();
        std::fs::create_dir_all(folder).map_err(|e| BundleError::Io {
            action: "create the folder",
            path: folder.to_path_buf(),
            source: e,
        })?;
        let mut out = ExportedEach::default();
        let mut first_nothing = None;
        for name in chosen {
            let path = folder.join(random_file_name()?);
            match self.export(&name, &path, opts) {
                Ok(r) => out.written.push(r),
                Err(StoreError::Bundle(e @ BundleError::NothingToExport { .. })) => {
                    first_nothing.get_or_insert(e);
                    out.nothing_new.push(name);
                }
                // What was written stays written and recorded: the caller must say so.
                Err(e) if !out.written.is_empty() => {
                    out.failed = Some((name, e));
                    return Ok(out);
                }
                Err(e) => return Err(e),
            }
        }
        match first_nothing {
            Some(e) if out.written.is_empty() => {
                if made {
                    // Only what this call made, and only while empty.
                    let _ = std::fs::remove_dir(folder);
                }
                Err(e.into())
            }
            _ => Ok(out),
        }
    }

    /// [`Store::export`] within the reader's limits but past [`MAX_RECORDS`]: the largest
    /// bundle a reader accepts, as other software could write it, only so the benchmark can
    /// measure an import of one. Not compiled into any build of the app or CLI.
    #[cfg(feature = "bench-internals")]
    pub fn export_uncapped_for_benchmark(
        &mut self,
        name: &str,
        out: &Path,
        opts: ExportOptions,
    ) -> Result<ExportReport, StoreError> {
        let limits = Limits {
            records: usize::MAX,
            ..Limits::READER
        };
        self.export_keeping(name, out, opts, KEEP_BYTES, limits, &mut |_| {})
    }

    /// [`Store::export`], keeping at most `keep` bytes of records between the passes.
    fn export_keeping(
        &mut self,
        name: &str,
        out: &Path,
        opts: ExportOptions,
        keep: usize,
        limits: Limits,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ExportReport, StoreError> {
        let (name, key) = self.recipient_named(name)?;
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
        let mut spool = Spool::new();
        let src = Source {
            tx: &tx,
            blobs: &self.blobs,
            name: &name,
            key: &key,
            opts,
        };
        let (outgoing, left_for_next) = select_outgoing(src, keep, limits, &mut plan, &mut spool)?;
        if outgoing.is_empty() && left_for_next > 0 {
            return Err(BundleError::TestimonyTooLarge {
                limit: limits.for_content(),
            }
            .into());
        }
        if outgoing.is_empty() {
            return Err(BundleError::NothingToExport { name }.into());
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
        if ledger_size > limits.index {
            return Err(BundleError::LedgerTooLong {
                size: ledger_size,
                limit: limits.index,
            }
            .into());
        }
        let ledger_sha256 = canonical::digest32(&ledger_hash.finish());
        let (first, last) = range.unwrap_or((0, 0));
        let head = Manifest {
            format: FORMAT.into(),
            bundle_id: bundle_id.clone(),
            created: at.clone(),
            sender: Sender {
                device_key: self.keys.public_key_b64(),
                age_recipient: self.keys.age_recipient(),
                name: device_name,
            },
            ledger: LedgerRange { first, last },
            entries: Vec::new(),
        };
        let blob_hashes = plan
            .blobs
            .iter()
            .map(|b| canonical::unhex32(&b.sha256))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| StoreError::Damaged {
                reason: "an attachment is not named by its hash".into(),
            })?;
        // The list is written entry by entry from what export holds anyway.
        let ledger_entry = std::iter::once(EntryRef {
            path: "ledger.jsonl".into(),
            size: ledger_size,
            sha256: ledger_sha256,
        });
        let records = outgoing.iter().map(|o| EntryRef {
            path: record_path(o).into(),
            size: o.size,
            sha256: o.hash,
        });
        let attachments = plan.blobs.iter().zip(blob_hashes).map(|(b, h)| EntryRef {
            path: format!("attachments/{}", b.sha256).into(),
            size: b.size,
            sha256: h,
        });
        let manifest_bytes = head.canonical_with(ledger_entry.chain(records).chain(attachments))?;
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
        let tar_len = [manifest_bytes.len() as u64, sig.len() as u64, ledger_size]
            .into_iter()
            .chain(outgoing.iter().map(|o| o.size))
            .chain(plan.blobs.iter().map(|b| b.size))
            .map(tar_out::size_in_tar)
            .sum::<u64>()
            + 2 * tar_out::BLOCK as u64;
        let mut reporter = Reporter::new(tar_len, progress);
        let written = write_encrypted(&tmp, &recipient, opts.armor, 0, |w| {
            let io = io_err("write", &tmp);
            let mut reporting = ReportingWriter {
                inner: w,
                reporter: &mut reporter,
            };
            let mut tar = TarOut::new(&mut reporting);
            tar.file("manifest.json", &manifest_bytes).map_err(&io)?;
            tar.file("manifest.sig", sig.as_bytes()).map_err(&io)?;
            tar.begin("ledger.jsonl", ledger_size).map_err(&io)?;
            match &ledger_kept {
                Some(lines) => tar.data(lines).map_err(&io)?,
                None => {
                    each_ledger_line(&tx, &ids, |_, line| Ok(tar.data(line).map_err(&io)?))?;
                }
            }
            write_records(&self.blobs, &outgoing, &spool, &mut tar, &io)?;
            // Attachments after the records that name them, so a reader can check each one
            // is expected before it streams it.
            for b in &plan.blobs {
                tar.begin(&format!("attachments/{}", b.sha256), b.size)
                    .map_err(&io)?;
                if b.derived {
                    strip_stored(&tx, &self.blobs, &b.original, &b.media_type, &mut tar)?
                        .map_err(|e| blob_or_io(e, &tmp))?;
                } else {
                    open_blob(&tx, &self.blobs, &b.original)?
                        .copy_to(&mut tar)
                        .map_err(|e| blob_or_io(e, &tmp))?;
                }
            }
            Ok(tar.finish().map_err(&io)?)
        });
        // In the order of the deliveries table's key: each row then lands next to the one
        // before, where random order would split pages all over its index.
        let written = written.and_then(|n| {
            record_deliveries(&tx, &key, &bundle_id, &at, &outgoing)?;
            Ok(n)
        });
        let bytes = commit_and_publish(written, tx, &tmp, out)?;
        reporter.finish();
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
            stripped: plan.stripped,
            left_for_next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{inspect, OrgKey};
    use crate::model::from_value;
    use crate::{KdfParams, Passphrase, Vault};

    /// What `prepare` decided, comparable.
    type Decided = Result<Option<(Vec<AttachmentRef>, Option<(Vec<u8>, [u8; 32])>)>, String>;

    fn decided(p: Result<Option<Prepared>, StoreError>) -> Decided {
        p.map(|p| p.map(|p| (p.attachments, p.ready)))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_glance_decides_as_reading_the_whole_revision_does() {
        let attachment = r#"{"added_at":"2026-01-01T00:00:00Z","media_type":"image/jpeg","name":"a.jpg","sha256":"00","size":3}"#;
        let docs = [
            r#"{"content":{"consent":{"identity":"named","share_with":["KIBHR"]},"witness":{"contact":"c","name":"n"}}}"#.to_owned(),
            r#"{"content":{"consent":{"identity":"anonymous","share_with":["KIBHR"]},"witness":{"name":"n"}}}"#.to_owned(),
            r#"{"content":{"consent":{"identity":"anonymous","share_with":["kibhr "]},"witness":{"age":3}}}"#.to_owned(),
            r#"{"content":{"consent":{"share_with":["KIBHR"]},"witness":{"name":null}}}"#.to_owned(),
            r#"{"content":{"consent":{"share_with":["KIBHR"]},"witness":{"contact":{}}}}"#.to_owned(),
            r#"{"content":{"consent":{"share_with":["KIBHR"]},"witness":null}}"#.to_owned(),
            r#"{"content":{"consent":{"share_with":["KIBHR"]},"witness":"n"}}"#.to_owned(),
            r#"{"content":{"consent":{"share_with":["Other",7,"KIBHR"]},"witness":{"name":"n"}}}"#.to_owned(),
            r#"{"content":{"consent":{"share_with":"KIBHR"}}}"#.to_owned(),
            r#"{"content":{"consent":{"share_with":["Other"]}}}"#.to_owned(),
            r#"{"content":{"consent":{"identity":7,"share_with":["KIBHR"]},"witness":{"name":"n"}}}"#.to_owned(),
            r#"{"content":{"consent":{"share_with":["KIBHR"]}},"content":{"consent":{"share_with":[]}}}"#.to_owned(),
            r#"{"content":{"consent":{"identity":"named","identity":"anonymous","share_with":["KIBHR"]},"witness":{"name":"n"}}}"#.to_owned(),
            r#"{"content":{"consent":{"share_with":["KIBHR"]}},"attachments":null}"#.to_owned(),
            r#"{"content":{"consent":{"share_with":["KIBHR"]}},"attachments":[{"x":1}]}"#.to_owned(),
            format!(r#"{{"attachments":[{attachment}],"content":{{"consent":{{"share_with":["KIBHR"]}}}}}}"#),
            r#"{"consent":{"share_with":["KIBHR"]}}"#.to_owned(),
            r#"["KIBHR"]"#.to_owned(),
            r#"{"content":{"consent":{"share_with":["KIBHR"]}}}"#.to_owned(),
            "{not json".to_owned(),
        ];
        for doc in &docs {
            for strip in [false, true] {
                let row = || Row {
                    id: "id".into(),
                    source_revision: "rev".into(),
                    body: doc.as_bytes().to_vec(),
                };
                assert_eq!(
                    decided(prepare(row(), "KIBHR", strip)),
                    decided(prepare_whole(row(), "KIBHR", strip)),
                    "{doc} (strip: {strip})"
                );
            }
        }
        // The glance is what decides most revisions: it must not refuse the usual ones.
        assert!(Glance::of(docs[0].as_bytes()).is_some());
        assert!(Glance::of(docs[15].as_bytes()).is_some());
    }

    /// Every record of a bundle, in order, as (id, bytes).
    fn records_of(bundle: &Path, key: &OrgKey) -> Vec<(String, Vec<u8>)> {
        let mut got = Vec::new();
        inspect::read_bundle(
            bundle,
            key,
            inspect::on_records(|id, _, bytes| {
                got.push((id.to_owned(), bytes.to_vec()));
                Ok(())
            }),
        )
        .unwrap();
        got
    }

    /// The bundle's `ledger.jsonl`, read with the age and tar crates alone.
    fn ledger_of(bundle: &Path, key: &OrgKey) -> String {
        let file = std::io::BufReader::new(std::fs::File::open(bundle).unwrap());
        let plain = age::Decryptor::new(file)
            .unwrap()
            .decrypt(std::iter::once(key.identity() as &dyn age::Identity))
            .unwrap();
        let mut tar = tar::Archive::new(plain);
        for entry in tar.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path_bytes().as_ref() == b"ledger.jsonl" {
                let mut text = String::new();
                entry.read_to_string(&mut text).unwrap();
                return text;
            }
        }
        panic!("no ledger.jsonl in {}", bundle.display());
    }

    fn collector_with(n: usize, dir: &Path) -> (Vault, OrgKey) {
        let pass = Passphrase::new("correct horse battery staple".into()).unwrap();
        let mut v = Vault::init(&dir.join("v"), &pass, KdfParams::new(8, 1).unwrap()).unwrap();
        let key = OrgKey::generate();
        let store = v.store_mut();
        store.add_recipient("Org", &key.recipient()).unwrap();
        let testimonies: Vec<_> = (0..n)
            .map(|i| {
                from_value(serde_json::json!({
                    "schema": "aigaq/testimony/1",
                    "consent": {"informed": true, "identity": "anonymous", "share_with": ["Org"]},
                    "narrative": format!("testimony {i} {}", "words ".repeat(100)),
                }))
                .unwrap()
            })
            .collect();
        store.add(&testimonies).unwrap();
        (v, key)
    }

    #[test]
    fn what_would_make_a_bundle_too_large_to_read_waits_for_the_next_export() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, key) = collector_with(7, dir.path());
        let store = v.store_mut();
        let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exif-gps.jpg");
        let first = store.list().unwrap()[0].id.to_string();
        store.attach(&first, &[&photo]).unwrap();
        // Room for records and attachments of about three testimonies.
        let index = 64 * 1024;
        let limits = Limits {
            total: 2 * index + 8 * tar_out::BLOCK as u64 + 6 * 1024,
            index,
            files: 1000,
            records: 1000,
        };
        let (mut seen, mut bundles, mut attachments) = (Vec::new(), 0, 0);
        loop {
            let out = dir.path().join(format!("{bundles}.age"));
            let r = match store.export_keeping(
                "Org",
                &out,
                ExportOptions::default(),
                0,
                limits,
                &mut |_| {},
            ) {
                Ok(r) => r,
                Err(StoreError::Bundle(BundleError::NothingToExport { .. })) => break,
                Err(e) => panic!("{e}"),
            };
            bundles += 1;
            attachments += r.attachments;
            let records = records_of(&out, &key);
            assert_eq!(records.len(), r.records);
            assert!(r.records >= 1);
            // The reader's own count of the tar stream's bytes stays within the limit.
            assert!(std::fs::metadata(&out).unwrap().len() < limits.total + 1024);
            seen.extend(records.into_iter().map(|(id, _)| id));
            assert_eq!(r.left_for_next, 7 - seen.len());
        }
        assert!(bundles >= 3, "{bundles} bundles");
        assert_eq!(attachments, 1);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 7);

        // The count of files is a limit too: at most two records a bundle here.
        let few_files = Limits {
            files: 5,
            ..Limits::READER
        };
        let opts_all = ExportOptions {
            all: true,
            ..ExportOptions::default()
        };
        let out = dir.path().join("few.age");
        let r = store
            .export_keeping("Org", &out, opts_all, 0, few_files, &mut |_| {})
            .unwrap();
        assert_eq!((r.records, r.left_for_next), (2, 5));
        assert_eq!(records_of(&out, &key).len(), 2);
        let few_records = Limits {
            records: 4,
            ..Limits::READER
        };
        let out = dir.path().join("four.age");
        let r = store
            .export_keeping("Org", &out, opts_all, 0, few_records, &mut |_| {})
            .unwrap();
        assert_eq!((r.records, r.left_for_next), (4, 3));

        // So is the ledger: each testimony's history goes whole with it, or waits.
        let short_ledger = Limits {
            index: 2 * 1024,
            ..Limits::READER
        };
        let out = dir.path().join("ledger.age");
        let r = store
            .export_keeping("Org", &out, opts_all, 0, short_ledger, &mut |_| {})
            .unwrap();
        assert!(r.records >= 1 && r.left_for_next >= 1, "{r:?}");
        assert_eq!(r.records + r.left_for_next, 7);
        let ledger = ledger_of(&out, &key);
        assert!(ledger.len() as u64 <= short_ledger.index);
        assert_eq!(
            ledger
                .lines()
                .filter(|l| l.contains("\"kind\":\"create\""))
                .count(),
            r.records
        );

        // A testimony that could never fit is named as the problem, not "nothing to send".
        let tiny = Limits {
            total: 2 * index + 8 * tar_out::BLOCK as u64 + 100,
            index,
            files: 1000,
            records: 1000,
        };
        let opts = ExportOptions {
            all: true,
            ..ExportOptions::default()
        };
        let err = store
            .export_keeping("Org", &dir.path().join("x.age"), opts, 0, tiny, &mut |_| {})
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Bundle(BundleError::TestimonyTooLarge { .. })
            ),
            "{err}"
        );
        assert!(!dir.path().join("x.age").exists());
    }

    #[test]
    fn records_not_kept_between_the_passes_are_written_as_they_were_measured() {
        let dir = tempfile::tempdir().unwrap();
        let pass = Passphrase::new("correct horse battery staple".into()).unwrap();
        let mut v =
            Vault::init(&dir.path().join("v"), &pass, KdfParams::new(8, 1).unwrap()).unwrap();
        let key = OrgKey::generate();
        let store = v.store_mut();
        store.add_recipient("Org", &key.recipient()).unwrap();
        // Named witnesses leave as stored; the others are changed on the way out; some are
        // not for this recipient at all, between the ones that are.
        let testimonies: Vec<_> = (0..12)
            .map(|i| {
                let identity = ["named", "pseudonymous", "anonymous"][i % 3];
                let share = if i % 4 == 1 { "Somebody else" } else { "Org" };
                from_value(serde_json::json!({
                    "schema": "aigaq/testimony/1",
                    "consent": {"informed": true, "identity": identity, "share_with": [share]},
                    "witness": {"name": "Name", "contact": "Contact"},
                    "narrative": format!("testimony {i} {}", "words ".repeat(i * 30)),
                }))
                .unwrap()
            })
            .collect();
        let ids = store.add(&testimonies).unwrap();
        let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exif-gps.jpg");
        store.attach(&ids[2].to_string(), &[&photo]).unwrap();
        store.attach(&ids[8].to_string(), &[&photo]).unwrap();
        for strip_metadata in [false, true] {
            let opts = ExportOptions {
                all: true,
                strip_metadata,
                ..ExportOptions::default()
            };
            let mut bundles = Vec::new();
            // Everything kept, nothing, and a first few.
            for keep in [usize::MAX, 0, 2_000] {
                let out = dir.path().join(format!("{strip_metadata}-{keep}.age"));
                let report = store
                    .export_keeping("Org", &out, opts, keep, Limits::READER, &mut |_| {})
                    .unwrap();
                assert_eq!(report.records, 9);
                bundles.push(records_of(&out, &key));
            }
            assert_eq!(bundles[0].len(), 9);
            assert_eq!(bundles[0], bundles[1]);
            assert_eq!(bundles[0], bundles[2]);
            let derived = bundles[0]
                .iter()
                .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains("derived_from"))
                .count();
            assert_eq!(derived, if strip_metadata { 2 } else { 0 });
        }
        // What was set aside between the passes is gone: only the photo (attached to two
        // testimonies, stored once) remains.
        let left: Vec<_> = std::fs::read_dir(dir.path().join("v/attachments"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left.len(), 1, "{left:?}");
        assert!(left.iter().all(|n| !n.starts_with('.')), "{left:?}");
    }

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
