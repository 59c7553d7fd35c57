//! Reading and verifying a bundle. Every byte is hostile until checked: sizes are bounded
//! before anything is read, only the expected paths and plain files are accepted, in the
//! writer's order, and the age stream is read to its end so a cut-off file is noticed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use serde::Serialize;

pub use super::manifest::Manifest;
use super::manifest::FORMAT;
use super::org_key::OrgKey;
use super::BundleError;
use crate::canonical;
use crate::custody::device::{fingerprint, verify_b64};
use crate::custody::Entry;
use crate::store::attachments::AttachmentRef;
use crate::store::pipeline::ParallelSha256;

/// Largest manifest or ledger accepted.
pub const MAX_INDEX_BYTES: u64 = 64 * 1024 * 1024;
/// Largest record accepted.
pub const MAX_RECORD_BYTES: u64 = 4 * 1024 * 1024;
/// Most files in one bundle.
pub const MAX_FILES: usize = 200_000;
/// Most decrypted bytes read from one bundle.
pub const MAX_TOTAL_BYTES: u64 = 16 * 1024 * 1024 * 1024;

/// One testimony revision in a bundle.
#[derive(Debug, Clone, Serialize)]
pub struct BundleRecord {
    /// Testimony id.
    pub id: String,
    /// Revision hash.
    pub revision: String,
    /// Bytes.
    pub size: u64,
}

/// One attachment carried in a bundle.
#[derive(Debug, Clone, Serialize)]
pub struct BundleAttachment {
    /// Its SHA-256.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
}

/// Receives a bundle's content as it is verified. The whole bundle is unverified until
/// [`read_bundle`] returns `Ok`; a receiver must be able to undo what it did.
pub trait BundleSink {
    /// The manifest, once its signature has verified.
    fn begin(&mut self, manifest: &Manifest) -> Result<(), BundleError> {
        let _ = manifest;
        Ok(())
    }
    /// A ledger entry whose signature and link to the one before have been checked, with
    /// its hash. (`ledger.jsonl` as a whole is checked against the manifest at its end.)
    fn ledger_entry(&mut self, entry: &Entry, hash: &str) -> Result<(), BundleError> {
        let _ = (entry, hash);
        Ok(())
    }
    /// A record whose bytes, hash and ledger entry have been checked.
    fn record(&mut self, id: &str, revision: &str, bytes: &[u8]) -> Result<(), BundleError>;
    /// An attachment named by a record already seen; `content` yields exactly its bytes,
    /// and the reader checks their SHA-256 once the receiver has read them.
    fn attachment(&mut self, sha256: &str, content: &mut dyn Read) -> Result<(), BundleError> {
        let _ = sha256;
        io::copy(content, &mut io::sink()).map_err(|e| read_error(&e))?;
        Ok(())
    }
}

/// A sink that only verifies.
pub struct Discard;

impl BundleSink for Discard {
    fn record(&mut self, _: &str, _: &str, _: &[u8]) -> Result<(), BundleError> {
        Ok(())
    }
}

/// A sink that hands each verified record to `f` (id, revision, bytes) and only verifies
/// attachments.
pub struct OnRecords<F>(F);

/// Makes an [`OnRecords`] sink.
pub fn on_records<F>(f: F) -> OnRecords<F>
where
    F: FnMut(&str, &str, &[u8]) -> Result<(), BundleError>,
{
    OnRecords(f)
}

impl<F> BundleSink for OnRecords<F>
where
    F: FnMut(&str, &str, &[u8]) -> Result<(), BundleError>,
{
    fn record(&mut self, id: &str, revision: &str, bytes: &[u8]) -> Result<(), BundleError> {
        (self.0)(id, revision, bytes)
    }
}

/// What a verified bundle holds.
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    /// The bundle's id.
    pub bundle_id: String,
    /// When it was made.
    pub created: String,
    /// The sender's Ed25519 key, padded base64.
    pub sender_device_key: String,
    /// Its read-aloud fingerprint.
    pub sender_fingerprint: String,
    /// Where acknowledgements go.
    pub sender_age_recipient: String,
    /// The name the sending device gives itself, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    /// Ledger entries carried.
    pub ledger_entries: usize,
    /// Ranges of the sender's ledger not in this bundle, between its first and last entry.
    pub ledger_gaps: Vec<(i64, i64)>,
    /// The records.
    pub records: Vec<BundleRecord>,
    /// The attachments carried (left out of JSON when none, as in bundles made before
    /// attachments existed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<BundleAttachment>,
    /// Attachments the records list that the bundle does not carry: sent before, so the
    /// receiver should hold them already.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments_not_carried: Vec<String>,
}

fn invalid(reason: impl Into<String>) -> BundleError {
    BundleError::Invalid {
        reason: reason.into(),
    }
}

/// Decrypts and verifies `path` with the organisation's key, handing each verified record
/// and attachment to `sink` ([`Discard`] only verifies); the caller must still
/// treat the whole bundle as unverified until this returns `Ok`.
pub fn read_bundle(
    path: &Path,
    key: &OrgKey,
    sink: impl BundleSink,
) -> Result<InspectReport, BundleError> {
    let file = File::open(path).map_err(|e| BundleError::Io {
        action: "open",
        path: path.to_path_buf(),
        source: e,
    })?;
    let undecryptable = || BundleError::Decrypt {
        path: path.to_path_buf(),
    };
    let armored = age::armor::ArmoredReader::new(BufReader::new(file));
    let decryptor = age::Decryptor::new(armored).map_err(|_| undecryptable())?;
    let plain = decryptor
        .decrypt(std::iter::once(key.identity() as &dyn age::Identity))
        .map_err(|_| undecryptable())?;
    read_plaintext(plain, sink)
}

/// Verifies the decrypted tar stream of a bundle (everything but the age layer); the
/// reader is read to its end.
pub fn read_plaintext<R: Read>(
    plain: R,
    mut sink: impl BundleSink,
) -> Result<InspectReport, BundleError> {
    let mut archive = tar::Archive::new(plain.take(MAX_TOTAL_BYTES));
    let mut state = Reader::default();
    {
        let entries = archive
            .entries()
            .map_err(|e| invalid(format!("not a tar stream: {e}")))?;
        for (index, entry) in entries.enumerate() {
            let entry = entry.map_err(|e| read_error(&e))?;
            if index >= MAX_FILES {
                return Err(invalid(format!("more than {MAX_FILES} files")));
            }
            state.entry(index, entry, &mut sink)?;
        }
    }
    // Read what follows the archive to the end, so age checks the last chunk: it must be
    // zero padding.
    let mut rest = archive.into_inner();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = rest.read(&mut buf).map_err(|e| read_error(&e))?;
        if n == 0 {
            break;
        }
        if buf[..n].iter().any(|b| *b != 0) {
            return Err(invalid("data after the end of the archive"));
        }
    }
    state.finish()
}

fn read_error(e: &io::Error) -> BundleError {
    invalid(format!(
        "the encrypted stream is damaged or cut short ({e})"
    ))
}

#[derive(Default)]
struct Reader {
    manifest_bytes: Vec<u8>,
    manifest: Option<Manifest>,
    expected: BTreeMap<String, (u64, String)>,
    seen: HashSet<String>,
    vouched: HashMap<String, HashSet<String>>,
    ledger_entries: usize,
    gaps: Vec<(i64, i64)>,
    records: Vec<BundleRecord>,
    /// Attachments the records name, with their sizes.
    referenced: HashMap<String, u64>,
    attachments: Vec<BundleAttachment>,
}

fn read_bounded<R: Read>(
    mut r: R,
    size: u64,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, BundleError> {
    if size > limit {
        return Err(invalid(format!(
            "{what} is {size} bytes; the limit is {limit}"
        )));
    }
    // Grow as bytes arrive: a header may claim more than the stream holds.
    let mut out = Vec::with_capacity(size.min(64 * 1024) as usize);
    r.by_ref()
        .take(size)
        .read_to_end(&mut out)
        .map_err(|e| read_error(&e))?;
    if out.len() as u64 != size {
        return Err(invalid(format!("{what} is shorter than its header says")));
    }
    Ok(out)
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `records/<uuid>/<sha256>.json` → (uuid, sha256).
fn record_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("records/")?;
    let (id, file) = rest.split_once('/')?;
    let rev = file.strip_suffix(".json")?;
    (uuid::Uuid::parse_str(id).is_ok()
        && id.len() == 36
        && id == id.to_lowercase()
        && is_hex64(rev))
    .then_some((id, rev))
}

impl Reader {
    fn entry<R: Read>(
        &mut self,
        index: usize,
        entry: tar::Entry<'_, R>,
        sink: &mut impl BundleSink,
    ) -> Result<(), BundleError> {
        // ustar headers only: GNU long names and pax records are places where two tar
        // readers can disagree on a name or a size.
        let mut entry = entry;
        let extended = entry
            .pax_extensions()
            .map_err(|e| read_error(&e))?
            .is_some();
        if entry.header().as_ustar().is_none() || extended {
            return Err(invalid(format!(
                "file {} does not use a plain ustar header (GNU and pax extensions are refused)",
                index + 1
            )));
        }
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(invalid(format!(
                "file {} is not a plain file (links, folders and devices are refused)",
                index + 1
            )));
        }
        let path = String::from_utf8(entry.path_bytes().into_owned())
            .map_err(|_| invalid("a file name is not UTF-8"))?;
        let size = entry
            .header()
            .size()
            .map_err(|_| invalid("a damaged tar header"))?;
        match (index, path.as_str()) {
            (0, "manifest.json") => {
                let bytes = read_bounded(entry, size, MAX_INDEX_BYTES, "manifest.json")?;
                self.manifest(bytes)
            }
            (0, _) => Err(invalid("the first file is not manifest.json")),
            (1, "manifest.sig") => {
                let bytes = read_bounded(entry, size, 1024, "manifest.sig")?;
                self.signature(&bytes)?;
                sink.begin(self.sender()?)
            }
            (1, _) => Err(invalid(
                "the second file is not manifest.sig (the bundle is unsigned)",
            )),
            _ => {
                if !self.seen.insert(path.clone()) {
                    return Err(invalid(format!("{path} appears twice")));
                }
                let Some((want_size, want_sha)) = self.expected.get(&path).cloned() else {
                    return Err(invalid(format!("{path:?} is not listed in the manifest")));
                };
                if size != want_size {
                    return Err(invalid(format!(
                        "{path} is {size} bytes, the manifest says {want_size}"
                    )));
                }
                if let Some(sha) = path.strip_prefix("attachments/") {
                    return self.attachment(sha, size, &want_sha, entry, sink);
                }
                if path == "ledger.jsonl" {
                    if index != 2 {
                        return Err(invalid("ledger.jsonl must come right after the signature"));
                    }
                    if size > MAX_INDEX_BYTES {
                        return Err(invalid(format!(
                            "ledger.jsonl is {size} bytes; the limit is {MAX_INDEX_BYTES}"
                        )));
                    }
                    return self.ledger(entry.take(size), size, &want_sha, sink);
                }
                let bytes = read_bounded(entry, size, MAX_RECORD_BYTES, &path)?;
                if canonical::sha256_hex(&bytes) != want_sha {
                    return Err(invalid(format!(
                        "{path} does not match its SHA-256 in the manifest"
                    )));
                }
                if let Some((id, rev)) = record_path(&path) {
                    self.record(id, rev, &bytes)?;
                    sink.record(id, rev, &bytes)
                } else {
                    Err(invalid(format!("unexpected file {path:?}")))
                }
            }
        }
    }

    fn manifest(&mut self, bytes: Vec<u8>) -> Result<(), BundleError> {
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| invalid(format!("manifest.json is not JSON: {e}")))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(invalid(format!(
                "unknown bundle format {}; this Aigaq reads {FORMAT}",
                value
                    .get("format")
                    .map(|f| f.to_string())
                    .unwrap_or_else(|| "(none)".into())
            )));
        }
        if canonical::to_bytes(&value).ok().as_deref() != Some(&bytes[..]) {
            return Err(invalid("manifest.json is not in RFC 8785 canonical form"));
        }
        let m: Manifest =
            serde_json::from_value(value).map_err(|e| invalid(format!("manifest.json: {e}")))?;
        if let Some(name) = &m.sender.name {
            if crate::store::clean_name(name).ok() != Some(name.as_str()) {
                return Err(invalid(
                    "the sender's name must be 1 to 200 characters without surrounding spaces or control characters",
                ));
            }
        }
        for f in &m.entries {
            if self
                .expected
                .insert(f.path.clone(), (f.size, f.sha256.clone()))
                .is_some()
            {
                return Err(invalid(format!("the manifest lists {} twice", f.path)));
            }
        }
        self.manifest_bytes = bytes;
        self.manifest = Some(m);
        Ok(())
    }

    fn sender(&self) -> Result<&Manifest, BundleError> {
        self.manifest.as_ref().ok_or_else(|| invalid("no manifest"))
    }

    fn signature(&mut self, bytes: &[u8]) -> Result<(), BundleError> {
        let sig = std::str::from_utf8(bytes).map_err(|_| invalid("manifest.sig is not text"))?;
        let m = self.sender()?;
        if !verify_b64(
            &m.sender.device_key,
            &self.manifest_bytes,
            sig.trim_end_matches('\n'),
        ) {
            return Err(invalid(
                "the manifest's signature does not verify with the sender's key",
            ));
        }
        Ok(())
    }

    /// Reads `ledger.jsonl` line by line as it streams, hashing it, so a long ledger is
    /// never held whole; each entry goes to the sink once checked, and the whole file is
    /// checked against the manifest at its end.
    fn ledger<R: Read>(
        &mut self,
        input: R,
        size: u64,
        want_sha: &str,
        sink: &mut impl BundleSink,
    ) -> Result<(), BundleError> {
        const MAX_LINE: u64 = 64 * 1024;
        let device = self.sender()?.sender.device_key.clone();
        let mut hashing = Hashing {
            inner: input,
            hash: ParallelSha256::new(),
            count: 0,
        };
        let mut reader = io::BufReader::with_capacity(64 * 1024, &mut hashing);
        let mut previous: Option<(i64, String)> = None;
        let mut line = Vec::with_capacity(1024);
        for i in 1.. {
            line.clear();
            let n = io::BufRead::read_until(&mut (&mut reader).take(MAX_LINE), b'\n', &mut line)
                .map_err(|e| read_error(&e))?;
            if n == 0 {
                break;
            }
            let where_ = format!("ledger.jsonl line {i}");
            if line.last() != Some(&b'\n') {
                return Err(invalid(format!(
                    "{where_} does not end with a newline (LF), or is longer than {MAX_LINE} bytes"
                )));
            }
            let text = &line[..line.len() - 1];
            let e: Entry =
                serde_json::from_slice(text).map_err(|e| invalid(format!("{where_}: {e}")))?;
            if canonical::to_bytes(&e).ok().as_deref() != Some(text) {
                return Err(invalid(format!("{where_} is not in canonical form")));
            }
            if e.device != device {
                return Err(invalid(format!(
                    "{where_}: entry {} is from another device",
                    e.seq
                )));
            }
            let signed = e
                .signed_bytes()
                .map_err(|_| invalid(format!("{where_}: unencodable")))?;
            if !verify_b64(&device, &signed, &e.sig) {
                return Err(invalid(format!(
                    "{where_}: the signature of entry {} does not verify",
                    e.seq
                )));
            }
            if let Some((seq, hash)) = &previous {
                if e.seq <= *seq {
                    return Err(invalid(format!("{where_}: entries out of order")));
                }
                if e.seq == seq + 1 && e.prev.as_deref() != Some(hash.as_str()) {
                    return Err(invalid(format!(
                        "{where_}: entry {} does not follow entry {seq}",
                        e.seq
                    )));
                }
                if e.seq > seq + 1 {
                    self.gaps.push((seq + 1, e.seq - 1));
                }
            }
            // The line is canonical, so it hashes like the entry.
            let hash = canonical::sha256_hex(text);
            if matches!(
                e.kind.as_str(),
                "create" | "revise" | "attach" | "detach" | "export"
            ) {
                if let Some(rev) = &e.revision {
                    self.vouched
                        .entry(e.record.clone())
                        .or_default()
                        .insert(rev.clone());
                }
            }
            sink.ledger_entry(&e, &hash)?;
            previous = Some((e.seq, hash));
            self.ledger_entries += 1;
        }
        drop(reader);
        if hashing.count != size {
            return Err(invalid("ledger.jsonl is shorter than its header says"));
        }
        if hashing.hash.finish().as_deref() != Some(want_sha) {
            return Err(invalid(
                "ledger.jsonl does not match its SHA-256 in the manifest",
            ));
        }
        Ok(())
    }

    fn record(&mut self, id: &str, rev: &str, bytes: &[u8]) -> Result<(), BundleError> {
        let bad = |why: String| invalid(format!("record {id}/{rev}: {why}"));
        if canonical::sha256_hex(bytes) != rev {
            return Err(bad("its bytes do not hash to its name".into()));
        }
        let doc: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
        // A record is vouched for by a ledger entry naming it, or, when it was made from a
        // stored revision for export (without the witness's name, or listing attachment
        // derivatives), by the entry naming that revision; the manifest's signature covers
        // its bytes either way.
        let vouched = self.vouched.get(id).is_some_and(|r| {
            r.contains(rev)
                || doc
                    .get("exported_from")
                    .and_then(|v| v.as_str())
                    .is_some_and(|from| r.contains(from))
        });
        if !vouched {
            return Err(bad(
                "no signed ledger entry in the bundle vouches for it".into()
            ));
        }
        if canonical::to_bytes(&doc).ok().as_deref() != Some(bytes) {
            return Err(bad("not in canonical form".into()));
        }
        if doc["format"] != "aigaq/revision/1" || doc["testimony"] != id {
            return Err(bad("not a revision of this testimony".into()));
        }
        let keys_ok = doc.as_object().is_some_and(|o| {
            o.keys().all(|k| {
                matches!(
                    k.as_str(),
                    "format"
                        | "testimony"
                        | "number"
                        | "parent"
                        | "saved_at"
                        | "content"
                        | "attachments"
                        | "exported_from"
                )
            })
        });
        if !keys_ok {
            return Err(bad("it has fields a revision does not have".into()));
        }
        crate::model::from_value(doc["content"].clone()).map_err(|e| bad(e.to_string()))?;
        if let Some(list) = doc.get("attachments") {
            let list: Vec<AttachmentRef> = serde_json::from_value(list.clone())
                .map_err(|e| bad(format!("attachments: {e}")))?;
            for a in list {
                if !is_hex64(&a.sha256)
                    || a.derived_from.as_deref().is_some_and(|d| !is_hex64(d))
                    || a.name.is_empty()
                    || a.name.chars().count() > 255
                    || a.name.chars().any(char::is_control)
                {
                    return Err(bad(format!("attachment {:?} is not well formed", a.sha256)));
                }
                match self.referenced.insert(a.sha256.clone(), a.size) {
                    Some(size) if size != a.size => {
                        return Err(bad(format!(
                            "attachment {} is listed with two different sizes",
                            a.sha256
                        )))
                    }
                    _ => {}
                }
            }
        }
        self.records.push(BundleRecord {
            id: id.to_owned(),
            revision: rev.to_owned(),
            size: bytes.len() as u64,
        });
        Ok(())
    }

    /// Streams an attachment to the sink, checking it is one a record named, then its size
    /// and SHA-256.
    fn attachment<R: Read>(
        &mut self,
        sha: &str,
        size: u64,
        want_sha: &str,
        entry: tar::Entry<'_, R>,
        sink: &mut impl BundleSink,
    ) -> Result<(), BundleError> {
        if !is_hex64(sha) || sha != want_sha {
            return Err(invalid(format!(
                "attachments/{sha} is not named by its SHA-256"
            )));
        }
        match self.referenced.get(sha) {
            None => {
                return Err(invalid(format!(
                    "attachments/{sha} is not listed by any record before it"
                )))
            }
            Some(listed) if *listed != size => {
                return Err(invalid(format!(
                    "attachments/{sha} is {size} bytes, its record says {listed}"
                )))
            }
            Some(_) => {}
        }
        // Hashed on another thread: an attachment can be gigabytes, and the receiver
        // usually hashes and encrypts what it stores as well.
        let mut hashing = Hashing {
            inner: entry.take(size),
            hash: ParallelSha256::new(),
            count: 0,
        };
        sink.attachment(sha, &mut hashing)?;
        io::copy(&mut hashing, &mut io::sink()).map_err(|e| read_error(&e))?;
        if hashing.count != size {
            return Err(invalid(format!(
                "attachments/{sha} is shorter than its header says"
            )));
        }
        if hashing.hash.finish().as_deref() != Some(sha) {
            return Err(invalid(format!(
                "attachments/{sha} does not match its SHA-256"
            )));
        }
        self.attachments.push(BundleAttachment {
            sha256: sha.to_owned(),
            size,
        });
        Ok(())
    }

    fn finish(self) -> Result<InspectReport, BundleError> {
        let m = self
            .manifest
            .ok_or_else(|| invalid("the bundle is empty"))?;
        if self.manifest_bytes.is_empty() {
            return Err(invalid("no manifest"));
        }
        if let Some(missing) = self.expected.keys().find(|p| !self.seen.contains(*p)) {
            return Err(invalid(format!(
                "{missing} is listed in the manifest but missing"
            )));
        }
        Ok(InspectReport {
            bundle_id: m.bundle_id,
            created: m.created,
            sender_fingerprint: fingerprint_b64(&m.sender.device_key),
            sender_device_key: m.sender.device_key,
            sender_age_recipient: m.sender.age_recipient,
            sender_name: m.sender.name,
            ledger_entries: self.ledger_entries,
            ledger_gaps: self.gaps,
            records: self.records,
            attachments_not_carried: {
                let carried: HashSet<&str> =
                    self.attachments.iter().map(|a| a.sha256.as_str()).collect();
                let mut missing: Vec<String> = self
                    .referenced
                    .keys()
                    .filter(|k| !carried.contains(k.as_str()))
                    .cloned()
                    .collect();
                missing.sort();
                missing
            },
            attachments: self.attachments,
        })
    }
}

/// Hashes (on a thread of its own) and counts what passes through.
struct Hashing<R> {
    inner: R,
    hash: ParallelSha256,
    count: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

pub(crate) fn fingerprint_b64(key_b64: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(key_b64)
        .map(|k| fingerprint(&k))
        .unwrap_or_else(|_| "(unreadable key)".into())
}
