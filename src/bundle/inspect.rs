//! Reading and verifying a bundle. Every byte is hostile until checked: sizes are bounded
//! before anything is read, only the expected paths and plain files are accepted, in the
//! writer's order, and the age stream is read to its end so a cut-off file is noticed.

use crate::progress::{Reporter, ReportingReader};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use serde::Serialize;

use super::listing::{self, Listing, Name};
pub use super::manifest::Manifest;
use super::manifest::FORMAT;
use super::org_key::OrgKey;
use super::record_check::{self, RecordChecks};
use super::signatures::SignatureCheck;
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
    /// A ledger entry whose form and link to the one before have been checked, with its
    /// hash and its canonical bytes (its line without the newline). Its signature may still
    /// be being checked, and `ledger.jsonl` as a whole is checked against the manifest at
    /// its end: like everything else, it counts only once [`read_bundle`] returns `Ok`.
    fn ledger_entry(&mut self, entry: &Entry, hash: &str, line: &str) -> Result<(), BundleError> {
        let _ = (entry, hash, line);
        Ok(())
    }
    /// Whether the report should list every record: an import, which counts what it stores
    /// itself, need not hold a list that grows with the bundle.
    fn lists_records(&self) -> bool {
        true
    }
    /// A record whose bytes, hash, form and ledger entry have been checked.
    fn record(&mut self, record: &VerifiedRecord<'_>) -> Result<(), BundleError>;
    /// An attachment named by a record already seen; `content` yields exactly its bytes,
    /// and the reader checks their SHA-256 once the receiver has read them.
    fn attachment(&mut self, sha256: &str, content: &mut dyn Read) -> Result<(), BundleError> {
        let _ = sha256;
        io::copy(content, &mut io::sink()).map_err(|e| read_error(&e))?;
        Ok(())
    }
}

/// A record as the reader hands it on, parsed once.
#[derive(Debug)]
pub struct VerifiedRecord<'a> {
    /// Testimony id.
    pub id: &'a str,
    /// Revision hash.
    pub revision: &'a str,
    /// Its bytes, canonical.
    pub bytes: &'a [u8],
    /// The attachments it lists, checked to be well formed.
    pub attachments: &'a [AttachmentRef],
}

/// A sink that only verifies.
pub struct Discard;

impl BundleSink for Discard {
    fn record(&mut self, _: &VerifiedRecord<'_>) -> Result<(), BundleError> {
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
    fn record(&mut self, r: &VerifiedRecord<'_>) -> Result<(), BundleError> {
        (self.0)(r.id, r.revision, r.bytes)
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
    read_bundle_reporting(path, key, sink, &mut Reporter::new(0, &mut |_| {}))
}

/// [`read_bundle`], telling `reporter` how many of the file's bytes are read.
pub(crate) fn read_bundle_reporting(
    path: &Path,
    key: &OrgKey,
    sink: impl BundleSink,
    reporter: &mut Reporter<'_>,
) -> Result<InspectReport, BundleError> {
    let file = File::open(path).map_err(|e| BundleError::Io {
        action: "open",
        path: path.to_path_buf(),
        source: e,
    })?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(BundleError::Io {
            action: "read",
            path: path.to_path_buf(),
            source: std::io::Error::other("it is a folder; give the bundle files in it"),
        });
    }
    let undecryptable = || BundleError::Decrypt {
        path: path.to_path_buf(),
    };
    let file = ReportingReader {
        inner: file,
        reporter,
    };
    let armored = age::armor::ArmoredReader::new(BufReader::new(file));
    let decryptor = age::Decryptor::new(armored).map_err(|_| undecryptable())?;
    let plain = decryptor
        .decrypt(std::iter::once(key.identity() as &dyn age::Identity))
        .map_err(|_| undecryptable())?;
    // Several bundles may be given at once: the failure names the one it is in.
    read_plaintext(plain, sink).map_err(|e| match e {
        BundleError::Invalid { reason } => BundleError::Invalid {
            reason: format!("{}: {reason}", path.display()),
        },
        e => e,
    })
}

/// Verifies the decrypted tar stream of a bundle (everything but the age layer); the
/// reader is read to its end.
pub fn read_plaintext<R: Read>(
    plain: R,
    mut sink: impl BundleSink,
) -> Result<InspectReport, BundleError> {
    let mut state = Reader::default();
    let mut read = read_archive(plain, &mut state, &mut sink);
    if let Err(e) = read {
        // Records still being checked came before what failed: the first failure in the
        // bundle's order is the one reported.
        read = Err(state.take_back(true, &mut sink).err().unwrap_or(e));
    }
    if let Some(checks) = state.checks.take() {
        checks.stop();
    }
    // Every ledger signature is waited for, whatever happened after it: a bad one is
    // reported before any later problem, as if each had been checked in its turn.
    if let Some(signatures) = state.signatures.take() {
        signatures.finish()?;
    }
    read?;
    state.finish()
}

fn read_archive<R: Read>(
    plain: R,
    state: &mut Reader,
    sink: &mut impl BundleSink,
) -> Result<(), BundleError> {
    let mut archive = tar::Archive::new(plain.take(MAX_TOTAL_BYTES));
    {
        let entries = archive
            .entries()
            .map_err(|e| invalid(format!("not a tar stream: {e}")))?;
        for (index, entry) in entries.enumerate() {
            let entry = entry.map_err(|e| read_error(&e))?;
            if index >= MAX_FILES {
                return Err(invalid(format!("more than {MAX_FILES} files")));
            }
            state.entry(index, entry, sink)?;
        }
    }
    state.take_back(true, sink)?;
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
    Ok(())
}

fn read_error(e: &io::Error) -> BundleError {
    invalid(format!(
        "the encrypted stream is damaged or cut short ({e})"
    ))
}

#[derive(Default)]
struct Reader {
    /// Kept only until the signature over it is checked; parsed only then, so that a
    /// manifest nobody signed costs no more memory than its bytes.
    manifest_bytes: Vec<u8>,
    /// The key the manifest names as its signer, taken before it is parsed whole.
    signer: Option<String>,
    /// Set once the manifest's signature has verified.
    manifest: Option<Manifest>,
    /// Every file the manifest lists: size, SHA-256, and whether it has been read. This is
    /// what grows with the bundle.
    expected: Listing,
    /// (record id, revision) pairs a ledger entry in the bundle names, as bytes: one per
    /// entry, so kept compact.
    vouched: HashSet<([u8; 16], [u8; 32])>,
    ledger_entries: usize,
    /// The first and last `seq` in `ledger.jsonl`, once read.
    ledger_span: Option<(i64, i64)>,
    gaps: Vec<(i64, i64)>,
    records: Vec<BundleRecord>,
    /// Attachments the records name, with their sizes.
    referenced: HashMap<String, u64>,
    attachments: Vec<BundleAttachment>,
    /// The ledger's signatures, being checked.
    signatures: Option<SignatureCheck>,
    /// Canonical bytes made to compare with what was read, kept between uses.
    canonical: Vec<u8>,
    /// Records being checked.
    checks: Option<RecordChecks>,
}

/// A lower-case hyphenated UUID (the only form record ids take in a bundle) as bytes.
pub(super) fn uuid_key(s: &str) -> Option<[u8; 16]> {
    (s.len() == 36 && !s.bytes().any(|b| b.is_ascii_uppercase()))
        .then(|| uuid::Uuid::parse_str(s).ok())
        .flatten()
        .map(|u| *u.as_bytes())
}

/// A lower-case hex SHA-256 (the only form hashes take in a bundle) as bytes.
pub(super) fn hash_key(s: &str) -> Option<[u8; 32]> {
    is_hex64(s).then(|| canonical::unhex32(s)).flatten()
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

/// Parses and checks a manifest as the reader does once its signature has verified: for
/// the fuzzer, which cannot sign, so would otherwise never reach this.
#[doc(hidden)]
pub fn parse_signed_manifest(bytes: &[u8]) -> Result<Manifest, BundleError> {
    listing::parse(bytes).map(|(m, _)| m).map_err(invalid)
}

pub(super) fn is_hex64(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `records/<uuid>/<sha256>.json` → (uuid, sha256), for a path [`Name::parse`] takes for a
/// record (which decides what a record's path may be).
fn record_path(path: &str) -> Option<(&str, &str)> {
    if !matches!(Name::parse(path), Some(Name::Record(..))) {
        return None;
    }
    let (id, file) = path.strip_prefix("records/")?.split_once('/')?;
    Some((id, file.strip_suffix(".json")?))
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
                // A bad ledger signature found meanwhile: no point reading on.
                if self.signatures.as_ref().is_some_and(SignatureCheck::failed) {
                    return Err(invalid("a ledger entry's signature does not verify"));
                }
                let Some(listed) = Name::parse(&path).and_then(|n| self.expected.get_mut(&n))
                else {
                    return Err(invalid(format!("{path:?} is not listed in the manifest")));
                };
                if std::mem::replace(&mut listed.seen, true) {
                    return Err(invalid(format!("{path} appears twice")));
                }
                let (want_size, want_sha) = (listed.size, canonical::hex(&listed.sha256));
                if size != want_size {
                    return Err(invalid(format!(
                        "{path} is {size} bytes, the manifest says {want_size}"
                    )));
                }
                if let Some(sha) = path.strip_prefix("attachments/") {
                    // Every record before it taken back: one of them must name it.
                    self.take_back(true, sink)?;
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
                let sha = canonical::sha256_hex(&bytes);
                if sha != want_sha {
                    return Err(invalid(format!(
                        "{path} does not match its SHA-256 in the manifest"
                    )));
                }
                if let Some((id, rev)) = record_path(&path) {
                    self.record(id, rev, bytes, &sha, sink)
                } else {
                    Err(invalid(format!("unexpected file {path:?}")))
                }
            }
        }
    }

    /// Keeps the manifest's bytes for its signature, which comes next, after checking only
    /// its format (a later version may hold more) and taking the key it names.
    fn manifest(&mut self, bytes: Vec<u8>) -> Result<(), BundleError> {
        // Everything else, the list of entries above all, is skipped unparsed.
        #[derive(serde::Deserialize)]
        struct Head {
            format: Option<serde_json::Value>,
            sender: Option<serde_json::Value>,
        }
        let head: Head = serde_json::from_slice(&bytes)
            .map_err(|e| invalid(format!("manifest.json is not JSON: {e}")))?;
        if head.format.as_ref().and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(invalid(format!(
                "unknown bundle format {}; this Aigaq reads {FORMAT}",
                head.format
                    .map(|f| f.to_string())
                    .unwrap_or_else(|| "(none)".into())
            )));
        }
        self.signer = head
            .sender
            .as_ref()
            .and_then(|s| s.get("device_key"))
            .and_then(|k| k.as_str())
            .map(str::to_owned);
        self.manifest_bytes = bytes;
        Ok(())
    }

    fn sender(&self) -> Result<&Manifest, BundleError> {
        self.manifest.as_ref().ok_or_else(|| invalid("no manifest"))
    }

    /// Checks the manifest's signature, and only then parses it whole.
    fn signature(&mut self, bytes: &[u8]) -> Result<(), BundleError> {
        let sig = std::str::from_utf8(bytes).map_err(|_| invalid("manifest.sig is not text"))?;
        let signer = self
            .signer
            .as_deref()
            .ok_or_else(|| invalid("the manifest names no sender.device_key to check it with"))?;
        if !verify_b64(signer, &self.manifest_bytes, sig.trim_end_matches('\n')) {
            return Err(invalid(
                "the manifest's signature does not verify with the sender's key",
            ));
        }
        let bytes = std::mem::take(&mut self.manifest_bytes);
        let (m, listed) = listing::parse(&bytes).map_err(invalid)?;
        if let Some(name) = &m.sender.name {
            if crate::store::clean_name(name).ok() != Some(name.as_str()) {
                return Err(invalid(
                    "the sender's name must be 1 to 200 characters without surrounding spaces or control characters",
                ));
            }
        }
        // Acknowledgements go to it: a reply address nobody can encrypt to would only
        // fail later, on the organisation's side.
        let reply = super::org_key::parse_recipient(&m.sender.age_recipient);
        if reply.map(|r| r.to_string()).ok().as_deref() != Some(m.sender.age_recipient.as_str()) {
            return Err(invalid(
                "the manifest's sender.age_recipient is not an age1… recipient in its one written form",
            ));
        }
        self.expected = listed;
        self.manifest = Some(m);
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
        let device = self.sender()?.sender.device_key.clone();
        let mut signatures = SignatureCheck::start(&device);
        let result = self.ledger_lines(input, size, want_sha, &device, &mut signatures, sink);
        self.signatures = Some(signatures);
        result
    }

    fn ledger_lines<R: Read>(
        &mut self,
        input: R,
        size: u64,
        want_sha: &str,
        device: &str,
        signatures: &mut SignatureCheck,
        sink: &mut impl BundleSink,
    ) -> Result<(), BundleError> {
        const MAX_LINE: u64 = 64 * 1024;
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
            let where_ = || format!("ledger.jsonl line {i}");
            if line.last() != Some(&b'\n') {
                return Err(invalid(format!(
                    "{} does not end with a newline (LF), or is longer than {MAX_LINE} bytes",
                    where_()
                )));
            }
            let text = &line[..line.len() - 1];
            let e: Entry =
                serde_json::from_slice(text).map_err(|e| invalid(format!("{}: {e}", where_())))?;
            self.canonical.clear();
            e.write_canonical(&mut self.canonical);
            if self.canonical != text {
                return Err(invalid(format!("{} is not in canonical form", where_())));
            }
            // Parsed JSON is UTF-8.
            let text = std::str::from_utf8(text)
                .map_err(|_| invalid(format!("{} is not UTF-8", where_())))?;
            if e.device != device {
                return Err(invalid(format!(
                    "{}: entry {} is from another device",
                    where_(),
                    e.seq
                )));
            }
            signatures.check(i, e.seq, e.signed_bytes(), &e.sig)?;
            if let Some((seq, hash)) = &previous {
                if e.seq <= *seq {
                    return Err(invalid(format!("{}: entries out of order", where_())));
                }
                if e.seq == seq + 1 && e.prev.as_deref() != Some(hash.as_str()) {
                    return Err(invalid(format!(
                        "{}: entry {} does not follow entry {seq}",
                        where_(),
                        e.seq
                    )));
                }
                if e.seq > seq + 1 {
                    self.gaps.push((seq + 1, e.seq - 1));
                }
            }
            // The line is canonical, so it hashes like the entry.
            let hash = canonical::sha256_hex(text.as_bytes());
            if matches!(
                e.kind.as_str(),
                "create" | "revise" | "attach" | "detach" | "export"
            ) {
                // Only entries that name a record and revision as a bundle can carry them
                // can vouch for one.
                let named = (
                    uuid_key(&e.record),
                    e.revision.as_deref().and_then(hash_key),
                );
                if let (Some(record), Some(rev)) = named {
                    self.vouched.insert((record, rev));
                }
            }
            sink.ledger_entry(&e, &hash, text)?;
            let first = self.ledger_span.map_or(e.seq, |(first, _)| first);
            self.ledger_span = Some((first, e.seq));
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

    /// Hands a record whose bytes hash to `sha` over for its own checks, and takes back
    /// those done.
    fn record(
        &mut self,
        id: &str,
        rev: &str,
        bytes: Vec<u8>,
        sha: &str,
        sink: &mut impl BundleSink,
    ) -> Result<(), BundleError> {
        if sha != rev {
            return Err(invalid(format!(
                "record {id}/{rev}: its bytes do not hash to its name"
            )));
        }
        let checks = self.checks.get_or_insert_with(RecordChecks::start);
        checks.submit(record_check::Job {
            id: id.to_owned(),
            rev: rev.to_owned(),
            bytes,
        })?;
        self.take_back(false, sink)
    }

    /// Takes back checked records, in order, while they are ready (or while too many bytes
    /// are in flight); with `all`, every one.
    fn take_back(&mut self, all: bool, sink: &mut impl BundleSink) -> Result<(), BundleError> {
        loop {
            let Some(checks) = self.checks.as_mut() else {
                return Ok(());
            };
            let checked = match checks.next(all || checks.full()) {
                Ok(Some(checked)) => checked,
                Ok(None) => return Ok(()),
                Err(e) => return Err(self.stop_checks(e)),
            };
            if let Err(e) = self.record_checked(checked, sink) {
                return Err(self.stop_checks(e));
            }
        }
    }

    /// The first failure among the records: those after it are not looked at.
    fn stop_checks(&mut self, e: BundleError) -> BundleError {
        if let Some(checks) = self.checks.take() {
            checks.stop();
        }
        e
    }

    /// The checks of a record that need the rest of the bundle, in their turn among its
    /// own; then the record goes to the sink.
    fn record_checked(
        &mut self,
        checked: record_check::Checked,
        sink: &mut impl BundleSink,
    ) -> Result<(), BundleError> {
        let record_check::Job { id, rev, bytes } = checked.job;
        let bad = |why: String| invalid(format!("record {id}/{rev}: {why}"));
        let parsed = checked.outcome?;
        // A record is vouched for by a ledger entry naming it, or, when it was made from a
        // stored revision for export (without the witness's name, or listing attachment
        // derivatives), by the entry naming that revision; the manifest's signature covers
        // its bytes either way.
        let vouches = |rev: &str| {
            uuid_key(&id)
                .zip(hash_key(rev))
                .is_some_and(|key| self.vouched.contains(&key))
        };
        let vouched = vouches(&rev) || parsed.exported_from.as_deref().is_some_and(vouches);
        if !vouched {
            return Err(bad(
                "no signed ledger entry in the bundle vouches for it".into()
            ));
        }
        let record_check::Listed {
            attachments,
            mut malformed,
        } = parsed.rest?;
        for (i, a) in attachments.iter().enumerate() {
            if let Some((_, e)) = malformed.take_if(|(at, _)| *at == i) {
                return Err(e);
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
        if sink.lists_records() {
            self.records.push(BundleRecord {
                id: id.clone(),
                revision: rev.clone(),
                size: bytes.len() as u64,
            });
        }
        sink.record(&VerifiedRecord {
            id: &id,
            revision: &rev,
            bytes: &bytes,
            attachments: &attachments,
        })
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
        let Some(m) = self.manifest else {
            return Err(invalid(if self.manifest_bytes.is_empty() {
                "the bundle is empty"
            } else {
                "the bundle has no manifest.sig after its manifest (it is unsigned)"
            }));
        };
        if let Some(missing) = self.expected.first_unseen() {
            return Err(invalid(format!(
                "{} is listed in the manifest but missing",
                missing.path()
            )));
        }
        let span = self.ledger_span.unwrap_or((0, 0));
        if span != (m.ledger.first, m.ledger.last) {
            return Err(invalid(format!(
                "the manifest gives the ledger as entries {} to {}, but ledger.jsonl holds {} to {}",
                m.ledger.first, m.ledger.last, span.0, span.1
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
