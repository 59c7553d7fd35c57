//! Evidence attached to testimonies: photos, audio, video, documents. The content is kept
//! encrypted in the vault's attachment folder (see `blobs`), once per SHA-256 of the
//! original bytes however often it is attached. Which files belong to a testimony, under
//! which names, is part of its revision document, so the signed ledger covers it: each
//! attach or detach saves a revision and appends an `attach` or `detach` entry.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::blobs::{overwrite, BlobReader, FillError, Written};
use super::pipeline::WritebackFile;
use super::testimonies::{
    current_revision, now, purged_at, resolve, save_revision, StoredRevision,
};
use super::{Store, StoreError};
use crate::bundle::BundleError;
use crate::custody::ledger;
use crate::media::{self, Warning};
use crate::progress::{Progress, Reporter};

/// How an attachment is listed in a revision document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentRef {
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// The file's original name.
    pub name: String,
    /// Sniffed from the content.
    pub media_type: String,
    /// Bytes.
    pub size: u64,
    /// When it was attached.
    pub added_at: String,
    /// For a derivative sent without metadata: the original's SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<String>,
    /// For such a derivative: what was left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_metadata: Vec<String>,
}

/// An attachment as shown to the user.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentInfo {
    /// How the revision lists it.
    #[serde(flatten)]
    pub attachment: AttachmentRef,
    /// Metadata in it that can endanger people (for images: position, device, owner, time).
    pub warnings: Vec<Warning>,
    /// What this version's detector takes the content for, when that is not the type the
    /// revision lists (an e-mail that an earlier version stored as `text/plain`): the
    /// revision is signed and keeps its type; export and the warnings go by this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected_type: Option<String>,
}

/// What `attach` did with one file.
#[derive(Debug, Clone, Serialize)]
pub struct Attached {
    /// How it is listed.
    #[serde(flatten)]
    pub attachment: AttachmentRef,
    /// Its risky metadata.
    pub warnings: Vec<Warning>,
    /// The same content was already in the vault (stored once).
    pub deduplicated: bool,
    /// The testimony already had it; nothing changed.
    pub already_attached: bool,
}

/// A file read into a new blob, not yet recorded.
struct Staged {
    written: Written,
    name: String,
    media_type: String,
    warnings: Vec<Warning>,
}

/// Largest name kept for an attachment, in characters.
const MAX_NAME_CHARS: usize = 255;

fn display_name(path: &Path) -> String {
    let name: String = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    if name.trim().is_empty() {
        "attachment".into()
    } else {
        name
    }
}

/// Why a path that is not a regular file cannot be attached.
fn not_regular(m: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_dir() {
        "it is a folder: attach the files in it"
    } else if t.is_fifo() || t.is_socket() {
        "it is a pipe or socket, not a file"
    } else if t.is_block_device() || t.is_char_device() {
        "it is a device, not a file"
    } else {
        "it is not a regular file"
    }
}

fn source_error(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::Source {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Forgets a testimony's use of a blob; if nothing uses it any more, deletes its key row and
/// returns its file name, to remove after the commit.
pub(crate) fn release(tx: &Transaction<'_>, sha256: &str) -> Result<Option<String>, StoreError> {
    let used: Option<i64> = tx
        .prepare_cached(
            "SELECT 1 FROM attachments WHERE sha256 = ?1
             UNION ALL SELECT 1 FROM received_attachments WHERE sha256 = ?1 LIMIT 1",
        )?
        .query_row([sha256], |r| r.get(0))
        .optional()?;
    if used.is_some() {
        return Ok(None);
    }
    Ok(tx
        .prepare_cached("DELETE FROM blobs WHERE sha256 = ?1 RETURNING file")?
        .query_row([sha256], |r| r.get(0))
        .optional()?)
}

/// Opens a stored attachment's content for reading, within any connection or transaction.
pub(crate) fn open_blob(
    conn: &rusqlite::Connection,
    blobs: &super::blobs::BlobDir,
    sha256: &str,
) -> Result<BlobReader, StoreError> {
    let (file, key, size): (String, Vec<u8>, i64) = conn
        .prepare_cached("SELECT file, key, size FROM blobs WHERE sha256 = ?1")?
        .query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| super::blobs::BlobError::Damaged {
            sha256: sha256.to_owned(),
            reason: "the vault has no content for it".into(),
        })?;
    let key = zeroize::Zeroizing::new(key);
    Ok(blobs.open(&file, &key, sha256, size.max(0) as u64)?)
}

/// Saves a revision with a changed attachment list and its `attach` or `detach` ledger
/// entry; returns the new revision's hash.
#[allow(clippy::too_many_arguments)]
fn save_with_ledger(
    tx: &Transaction<'_>,
    keys: &crate::custody::DeviceKeys,
    kind: &str,
    (n, id): (i64, &str),
    number: u32,
    parent: &str,
    at: &str,
    (content, attachments): (&crate::model::Testimony, &[AttachmentRef]),
) -> Result<String, StoreError> {
    let hash = save_revision(tx, n, id, number, Some(parent), at, content, attachments)?;
    let hash = hash.to_string();
    ledger::append(tx, keys, kind, id, Some(&hash), at)?;
    Ok(hash)
}

/// Records a staged blob unless the same content is stored already; returns whether it
/// was, and the file kept (to remove if the transaction fails).
/// Whether the vault holds the content with this SHA-256.
pub(crate) fn holds_blob(conn: &rusqlite::Connection, sha256: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM blobs WHERE sha256 = ?1")?
        .query_row([sha256], |r| r.get::<_, i64>(0))
        .optional()?
        .is_some())
}

pub(crate) fn record_blob(
    tx: &Transaction<'_>,
    blobs: &super::blobs::BlobDir,
    written: Written,
    media_type: &str,
    warnings: &[Warning],
) -> Result<(bool, Option<String>), StoreError> {
    if holds_blob(tx, &written.sha256)? {
        // The same bytes, read just now: an older detector's description gives way.
        redescribe(tx, &written.sha256, media_type, warnings)?;
        written.discard();
        return Ok((true, None));
    }
    let (sha, size, key) = (written.sha256.clone(), written.size, written.key.clone());
    let file = blobs.keep(written)?;
    tx.prepare_cached(
        "INSERT INTO blobs (sha256, file, key, size, media_type, metadata, stored_at, detector)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        sha,
        file,
        &key[..],
        size as i64,
        media_type,
        serde_json::to_string(warnings)?,
        now(),
        media::DETECTOR
    ])?;
    Ok((false, Some(file)))
}

/// Adds what the detector finds in a finished blob's content by seeking (see
/// [`media::seeking_warnings`]) to what it found as the content streamed past.
/// Gives the blob back, or removes it when it cannot be read.
pub(crate) fn add_seeking_warnings(
    blobs: &super::blobs::BlobDir,
    written: Written,
    media_type: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Written, StoreError> {
    match add_found_by_seeking(media_type, warnings, || Ok(blobs.open_written(&written)?)) {
        Ok(()) => Ok(written),
        Err(e) => {
            written.discard();
            Err(e)
        }
    }
}

/// Adds to `warnings` what [`media::whole_file_warnings`] finds in content of
/// `media_type`, opened by `open` only for a type read with seeks.
fn add_found_by_seeking(
    media_type: &str,
    warnings: &mut Vec<Warning>,
    open: impl FnOnce() -> Result<BlobReader, StoreError>,
) -> Result<(), StoreError> {
    if media::reads_by_seeking(media_type) {
        media::add_warnings(
            warnings,
            media::whole_file_warnings(media_type, &mut open()?),
        );
    }
    Ok(())
}

/// Stores what this build's detector tells of a blob, unless a detector as new already did.
fn redescribe(
    conn: &rusqlite::Connection,
    sha256: &str,
    media_type: &str,
    warnings: &[Warning],
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE blobs SET media_type = ?2, metadata = ?3, detector = ?4
         WHERE sha256 = ?1 AND detector < ?4",
    )?
    .execute(params![
        sha256,
        media_type,
        serde_json::to_string(warnings)?,
        media::DETECTOR
    ])?;
    Ok(())
}

/// What the vault holds of stored content: its media type as the detector tells it, and
/// the metadata in it that can endanger people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Described {
    pub media_type: String,
    pub warnings: Vec<Warning>,
}

/// The media type and metadata of the content with this SHA-256 (`None` when the vault does
/// not hold it). Content an older detector read is read again first, whole, and what this
/// one tells is kept: an attachment stored before Aigaq knew e-mails, say, was taken for
/// text and would otherwise go with the addresses in its headers unsaid and unstripped.
pub(crate) fn described(
    conn: &rusqlite::Connection,
    blobs: &super::blobs::BlobDir,
    sha256: &str,
) -> Result<Option<Described>, StoreError> {
    let row: Option<(String, String, i64)> = conn
        .prepare_cached("SELECT media_type, metadata, detector FROM blobs WHERE sha256 = ?1")?
        .query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((media_type, metadata, detector)) = row else {
        return Ok(None);
    };
    if detector >= media::DETECTOR {
        return Ok(Some(Described {
            media_type,
            warnings: serde_json::from_str(&metadata)?,
        }));
    }
    match sniff_stored(conn, blobs, sha256) {
        Ok((media_type, warnings)) => {
            redescribe(conn, sha256, &media_type, &warnings)?;
            Ok(Some(Described {
                media_type,
                warnings,
            }))
        }
        // Damaged or missing content is for `aigaq check` to report, and for whatever reads
        // it to refuse; until then it is listed as it was described.
        Err(StoreError::Blob(_)) => Ok(Some(Described {
            media_type,
            warnings: serde_json::from_str(&metadata)?,
        })),
        Err(e) => Err(e),
    }
}

/// Streams stored content through the detector, as `attach` does the file.
fn sniff_stored(
    conn: &rusqlite::Connection,
    blobs: &super::blobs::BlobDir,
    sha256: &str,
) -> Result<(String, Vec<Warning>), StoreError> {
    let mut reader = open_blob(conn, blobs, sha256)?;
    let mut sniffer = media::Sniffer::new();
    let read = media::each_piece(&mut reader, 256 * 1024, |piece| {
        sniffer.feed(piece);
        Ok(())
    });
    if let Err(e) = read {
        use super::blobs::BlobError;
        let damaged = BlobError::damaged_in(&e).unwrap_or_else(|| BlobError::Damaged {
            sha256: sha256.to_owned(),
            reason: e.to_string(),
        });
        return Err(damaged.into());
    }
    let (media_type, mut warnings) = sniffer.describe();
    add_found_by_seeking(&media_type, &mut warnings, || {
        open_blob(conn, blobs, sha256)
    })?;
    Ok((media_type, warnings))
}

impl Store {
    /// Opens a stored attachment's content for reading; the reader checks the SHA-256 at
    /// the end.
    pub(crate) fn open_blob(&self, sha256: &str) -> Result<BlobReader, StoreError> {
        open_blob(&self.conn, &self.blobs, sha256)
    }

    /// Streams `path` into a new encrypted blob, hashing it, keeping its first bytes to
    /// tell its type and metadata. Memory stays bounded whatever the file's size.
    fn stage(&self, path: &Path, reporter: &mut Reporter<'_>) -> Result<Staged, StoreError> {
        // Checked before opening too: opening a named pipe would wait for a writer forever.
        let kind = fs::metadata(path).map_err(|e| source_error(path, e.to_string()))?;
        if !kind.is_file() {
            return Err(source_error(path, not_regular(&kind)));
        }
        let mut file = File::open(path).map_err(|e| source_error(path, e.to_string()))?;
        let before = file
            .metadata()
            .map_err(|e| source_error(path, e.to_string()))?;
        if !before.is_file() {
            return Err(source_error(path, not_regular(&before)));
        }
        self.stage_from(path, &before, &mut file, reporter)
    }

    fn stage_from(
        &self,
        path: &Path,
        before: &fs::Metadata,
        file: &mut dyn Read,
        reporter: &mut Reporter<'_>,
    ) -> Result<Staged, StoreError> {
        let mut sniffer = media::Sniffer::new();
        let filled = self.blobs.create()?.fill(file, |b| {
            reporter.add(b.len() as u64);
            sniffer.feed(b);
        });
        let writer = match filled {
            Ok(filled) => filled,
            Err(FillError::Read(e)) => {
                return Err(source_error(path, format!("reading it failed: {e}")))
            }
            Err(FillError::Store(e)) => return Err(e.into()),
        };
        let written = writer.finish()?;
        // A file that changed while it was read would be stored as a mix of two versions.
        let after = fs::metadata(path);
        let changed = match &after {
            Err(_) => Some("it disappeared while it was read"),
            // The kernel's own files (/proc, /sys) say 0 bytes and then yield content.
            Ok(m) if m.len() == before.len() && m.len() != written.size => Some(
                "reading it gave another size than the file system states: it is a system file, not a document to attach",
            ),
            Ok(m) if m.len() != written.size || m.modified().ok() != before.modified().ok() => {
                Some("it changed while it was read; attach it again once it is complete")
            }
            Ok(_) => None,
        };
        if let Some(why) = changed {
            written.discard();
            return Err(source_error(path, why));
        }
        let (media_type, mut warnings) = sniffer.describe();
        let written = add_seeking_warnings(&self.blobs, written, &media_type, &mut warnings)?;
        Ok(Staged {
            written,
            name: display_name(path),
            media_type,
            warnings,
        })
    }

    /// Attaches files to a testimony: all of them or none. Each becomes a revision and an
    /// `attach` ledger entry, unless the testimony already has that content.
    pub fn attach(&mut self, id: &str, files: &[&Path]) -> Result<Vec<Attached>, StoreError> {
        self.attach_reporting(id, files, &mut |_| {})
    }

    /// [`Store::attach`], telling `progress` how much of the files is read, for a progress
    /// bar.
    pub fn attach_reporting(
        &mut self,
        id: &str,
        files: &[&Path],
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Vec<Attached>, StoreError> {
        {
            let (n, full_id) = resolve(&self.conn, id)?;
            purged_at(&self.conn, n, &full_id)?;
        }
        // What the file system states now; a file that cannot be read is reported below.
        let total = files
            .iter()
            .filter_map(|p| fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        let mut reporter = Reporter::new(total, progress);
        let mut staged = Vec::with_capacity(files.len());
        for path in files {
            match self.stage(path, &mut reporter) {
                Ok(s) => staged.push(s),
                Err(e) => {
                    staged.into_iter().for_each(|s: Staged| s.written.discard());
                    return Err(e);
                }
            }
        }
        let mut kept = Vec::new();
        let result = self.record_attachments(id, staged, &mut kept);
        match result {
            Ok(_) => reporter.finish(),
            Err(_) => self.blobs.remove_all(&kept),
        }
        result
    }

    fn record_attachments(
        &mut self,
        id: &str,
        staged: Vec<Staged>,
        kept: &mut Vec<String>,
    ) -> Result<Vec<Attached>, StoreError> {
        let tx = self.conn.transaction()?;
        let (n, full_id) = resolve(&tx, id)?;
        let (mut parent, mut number, body) = current_revision(&tx, n, &full_id)?;
        let StoredRevision {
            content,
            mut attachments,
        } = serde_json::from_slice(&body)?;
        let at = now();
        let mut out = Vec::with_capacity(staged.len());
        let mut staged = staged.into_iter();
        while let Some(s) = staged.next() {
            let attachment = AttachmentRef {
                sha256: s.written.sha256.clone(),
                name: s.name,
                media_type: s.media_type.clone(),
                size: s.written.size,
                added_at: at.clone(),
                derived_from: None,
                removed_metadata: Vec::new(),
            };
            let recorded = record_blob(&tx, &self.blobs, s.written, &s.media_type, &s.warnings);
            let (deduplicated, file) = match recorded {
                Ok(r) => r,
                Err(e) => {
                    staged.for_each(|s| s.written.discard());
                    return Err(e);
                }
            };
            kept.extend(file);
            let already_attached = attachments.iter().any(|a| a.sha256 == attachment.sha256);
            if !already_attached {
                attachments.push(attachment.clone());
                number += 1;
                parent = save_with_ledger(
                    &tx,
                    &self.keys,
                    "attach",
                    (n, &full_id),
                    number,
                    &parent,
                    &at,
                    (&content, &attachments),
                )?;
            }
            out.push(Attached {
                attachment,
                warnings: s.warnings,
                deduplicated,
                already_attached,
            });
        }
        tx.commit()?;
        self.changed.set(true);
        Ok(out)
    }

    /// Adds to attachment entries the metadata found in them (see [`described`]).
    pub(crate) fn describe(
        &self,
        list: &[AttachmentRef],
    ) -> Result<Vec<AttachmentInfo>, StoreError> {
        let mut out = Vec::with_capacity(list.len());
        for a in list {
            let (warnings, detected_type) = match described(&self.conn, &self.blobs, &a.sha256)? {
                Some(d) => {
                    let other = (d.media_type != a.media_type).then_some(d.media_type);
                    (d.warnings, other)
                }
                None => (Vec::new(), None),
            };
            out.push(AttachmentInfo {
                attachment: a.clone(),
                warnings,
                detected_type,
            });
        }
        Ok(out)
    }

    /// The attachments of a testimony's current revision.
    pub fn attachments(&self, id: &str) -> Result<Vec<AttachmentInfo>, StoreError> {
        let (n, full_id) = resolve(&self.conn, id)?;
        let (_, _, body) = current_revision(&self.conn, n, &full_id)?;
        let stored: StoredRevision = serde_json::from_slice(&body)?;
        self.describe(&stored.attachments)
    }

    /// Finds one attachment of a testimony by its SHA-256 or a unique prefix of at least 8
    /// hex digits.
    fn find_attachment(
        list: &[AttachmentRef],
        id: &str,
        sha256: &str,
    ) -> Result<AttachmentRef, StoreError> {
        let want = sha256.trim().to_ascii_lowercase();
        let unknown = || StoreError::UnknownAttachment {
            id: id.to_owned(),
            sha256: sha256.to_owned(),
        };
        if want.len() < 8 {
            return Err(StoreError::ShortAttachmentPrefix {
                sha256: sha256.trim().to_owned(),
            });
        }
        let mut found = list.iter().filter(|a| a.sha256.starts_with(&want));
        match (found.next(), found.next()) {
            (Some(a), None) => Ok(a.clone()),
            (Some(_), Some(_)) => Err(StoreError::AmbiguousAttachment {
                id: id.to_owned(),
                prefix: want,
            }),
            _ => Err(unknown()),
        }
    }

    /// Writes an attachment's original bytes to `out`, a new file (never over an existing
    /// one). If the stored content turns out damaged, the partial file is removed.
    /// On an organisation's vault, `id` may also be a received testimony's.
    pub fn extract(&self, id: &str, sha256: &str, out: &Path) -> Result<AttachmentRef, StoreError> {
        let a = match resolve(&self.conn, id) {
            Ok((n, full_id)) => {
                let (_, _, body) = current_revision(&self.conn, n, &full_id)?;
                let stored: StoredRevision = serde_json::from_slice(&body)?;
                Self::find_attachment(&stored.attachments, &full_id, sha256)?
            }
            Err(StoreError::UnknownTestimony { .. }) => {
                let t = self.received_testimony(id)?;
                let listed: Vec<AttachmentRef> =
                    t.attachments.iter().map(|x| x.attachment.clone()).collect();
                let a = Self::find_attachment(&listed, &t.id, sha256)?;
                if !t
                    .attachments
                    .iter()
                    .any(|x| x.held && x.attachment.sha256 == a.sha256)
                {
                    return Err(StoreError::NotReceived { sha256: a.sha256 });
                }
                a
            }
            Err(e) => return Err(e),
        };
        let mut reader = self.open_blob(&a.sha256)?;
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(out)
            .map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => StoreError::from(BundleError::OutputExists {
                    path: out.to_path_buf(),
                }),
                io::ErrorKind::NotFound => BundleError::Io {
                    action: "create",
                    path: out.to_path_buf(),
                    source: io::Error::new(
                        e.kind(),
                        "its folder does not exist; create the folder first, or choose another place",
                    ),
                }
                .into(),
                _ => BundleError::Io {
                    action: "create",
                    path: out.to_path_buf(),
                    source: e,
                }
                .into(),
            })?;
        let copied = (|| -> Result<(), StoreError> {
            let mut w = WritebackFile::new(file).map_err(|e| blob_or_io(e, out))?;
            reader.write_to(&mut w).map_err(|e| blob_or_io(e, out))?;
            w.finish().map_err(|e| blob_or_io(e, out))?;
            Ok(())
        })();
        if let Err(e) = copied {
            let _ = fs::remove_file(out);
            return Err(e);
        }
        Ok(a)
    }

    /// An attachment of a testimony's current revision, decrypted into memory, for a
    /// preview: only images and audio, and only up to `limit` bytes, so nothing needs a
    /// temporary file. Returns the media type and the bytes (checked against the SHA-256).
    pub fn preview(
        &self,
        id: &str,
        sha256: &str,
        limit: u64,
    ) -> Result<(String, zeroize::Zeroizing<Vec<u8>>), StoreError> {
        let (n, full_id) = resolve(&self.conn, id)?;
        let (_, _, body) = current_revision(&self.conn, n, &full_id)?;
        let stored: StoredRevision = serde_json::from_slice(&body)?;
        let a = Self::find_attachment(&stored.attachments, &full_id, sha256)?;
        if !(a.media_type.starts_with("image/") || a.media_type.starts_with("audio/")) {
            return Err(StoreError::NoPreview {
                reason: format!(
                    "{} files are not previewed; extract it instead",
                    a.media_type
                ),
            });
        }
        if a.size > limit {
            return Err(StoreError::NoPreview {
                reason: format!(
                    "it is {} MiB; previews go up to {} MiB; extract it instead",
                    a.size / (1024 * 1024),
                    limit / (1024 * 1024)
                ),
            });
        }
        let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(a.size as usize));
        self.open_blob(&a.sha256)?
            .read_to_end(&mut bytes)
            .map_err(|e| blob_or_io(e, Path::new(&a.sha256)))?;
        Ok((a.media_type, bytes))
    }

    /// Removes an attachment from a testimony (a new revision and a `detach` entry). Its
    /// content is deleted if nothing else uses it.
    pub fn detach(&mut self, id: &str, sha256: &str) -> Result<AttachmentRef, StoreError> {
        let tx = self.conn.transaction()?;
        let (n, full_id) = resolve(&tx, id)?;
        let (parent, number, body) = current_revision(&tx, n, &full_id)?;
        let StoredRevision {
            content,
            mut attachments,
        } = serde_json::from_slice(&body)?;
        let a = Self::find_attachment(&attachments, &full_id, sha256)?;
        attachments.retain(|x| x.sha256 != a.sha256);
        let at = now();
        save_with_ledger(
            &tx,
            &self.keys,
            "detach",
            (n, &full_id),
            number + 1,
            &parent,
            &at,
            (&content, &attachments),
        )?;
        let unused = release(&tx, &a.sha256)?;
        tx.commit()?;
        self.changed.set(true);
        if let Some(file) = unused {
            self.blobs.remove(&file);
        }
        Ok(a)
    }

    /// Reads a stored attachment to the end and checks it against its SHA-256: used before
    /// the source of an attachment is destroyed.
    pub fn verify_attachment(&self, sha256: &str) -> Result<(), StoreError> {
        let mut r = self.open_blob(sha256)?;
        io::copy(&mut r, &mut io::sink()).map_err(|e| blob_or_io(e, Path::new(sha256)))?;
        Ok(())
    }

    /// Checks every stored attachment: that it decrypts and matches its SHA-256. One an
    /// older detector read is described again as it is read (see [`described`]), so that
    /// after an upgrade one check brings every attachment up to date.
    pub(crate) fn check_attachments(&self) -> Result<Checked, StoreError> {
        let shas: Vec<(String, i64)> = self
            .conn
            .prepare("SELECT sha256, detector FROM blobs ORDER BY sha256")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut read_again = 0;
        for (sha, detector) in &shas {
            if *detector < media::DETECTOR {
                let (media_type, warnings) = sniff_stored(&self.conn, &self.blobs, sha)?;
                redescribe(&self.conn, sha, &media_type, &warnings)?;
                read_again += 1;
            } else {
                self.verify_attachment(sha)?;
            }
        }
        Ok(Checked {
            attachments: shas.len(),
            read_again,
        })
    }

    /// Removes attachment files the database does not know (left by a crash).
    pub(crate) fn sweep_attachments(&self) -> Result<usize, StoreError> {
        // The duress decoy's database waits among the attachments (see `vault::duress`).
        let known: HashSet<String> = self
            .conn
            .prepare("SELECT file FROM blobs UNION ALL SELECT file FROM duress")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(self.blobs.sweep(&|name| known.contains(name))?)
    }
}

/// What `aigaq check` found of the attachments, all of them intact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Checked {
    /// Stored contents checked against their SHA-256.
    pub attachments: usize,
    /// Of those, the ones an earlier version of Aigaq had described, read again by this
    /// version's detector (see [`described`]).
    pub read_again: usize,
}

/// A read error from a blob reader is a damaged attachment; anything else is the output.
pub(crate) fn blob_or_io(e: io::Error, path: &Path) -> StoreError {
    if let Some(damaged) = super::blobs::BlobError::damaged_in(&e) {
        return damaged.into();
    }
    BundleError::Io {
        action: "write",
        path: path.to_path_buf(),
        source: e,
    }
    .into()
}

/// What `shred_sources` did with one source file.
#[derive(Debug, Clone, Serialize)]
pub struct ShredOutcome {
    /// The file as given.
    pub path: std::path::PathBuf,
    /// Why it was not overwritten and deleted, if it was not.
    pub not_shredded: Option<String>,
}

impl Store {
    /// `attach --shred-source`: once the stored copy of each attached file reads back whole,
    /// overwrites and deletes the file, once however often it was given. The attach has
    /// already committed, so a file that cannot be shredded is reported, not an error; a
    /// stored copy that does not read back is (and then nothing is shredded).
    pub fn shred_sources(
        &self,
        files: &[&Path],
        attached: &[Attached],
    ) -> Result<Vec<ShredOutcome>, StoreError> {
        for a in attached {
            self.verify_attachment(&a.attachment.sha256)?;
        }
        // Looked at before any is deleted, so that a file given twice is recognised.
        let mut seen = HashSet::new();
        let looked: Vec<_> = files
            .iter()
            .map(|path| (path, fs::symlink_metadata(path)))
            .filter(|(_, m)| match m {
                Ok(m) => seen.insert((m.dev(), m.ino())),
                Err(_) => true,
            })
            .collect();
        let mut out = Vec::new();
        for (path, m) in looked {
            let not_shredded = match m {
                Err(e) => Some(format!("it could not be read again ({e})")),
                Ok(m) if m.file_type().is_symlink() => Some(
                    "it is a symbolic link: the file it points to was attached; shred that file itself".into(),
                ),
                Ok(m) if m.nlink() > 1 => Some(
                    "the same file has other names (hard links), which overwriting would erase as well".into(),
                ),
                Ok(_) => shred(path).err().map(|e| match e {
                    StoreError::Source { reason, .. } => reason,
                    e => e.to_string(),
                }),
            };
            out.push(ShredOutcome {
                path: path.to_path_buf(),
                not_shredded,
            });
        }
        Ok(out)
    }
}

/// Overwrites a source file with zeros, syncs it and deletes it. Flash storage and
/// copy-on-write file systems may keep old copies; the caller says so.
pub fn shred(path: &Path) -> Result<(), StoreError> {
    let len = fs::metadata(path)
        .map_err(|e| source_error(path, e.to_string()))?
        .len();
    overwrite(path, len).map_err(|e| source_error(path, format!("overwriting it failed: {e}")))?;
    fs::remove_file(path).map_err(|e| source_error(path, format!("deleting it failed: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attachment_is_named_by_8_or_more_digits_that_only_it_begins_with() {
        let a = |sha: &str| AttachmentRef {
            sha256: sha.into(),
            name: "n".into(),
            media_type: "text/plain".into(),
            size: 1,
            added_at: String::new(),
            derived_from: None,
            removed_metadata: Vec::new(),
        };
        let list = [
            a(&format!("2c678fac{}", "1".repeat(56))),
            a(&format!("2c678fac{}", "2".repeat(56))),
        ];
        let find = |p: &str| Store::find_attachment(&list, "t", p).map(|a| a.sha256);
        assert!(matches!(
            find("2c678f"),
            Err(StoreError::ShortAttachmentPrefix { .. })
        ));
        assert!(matches!(
            find("2c678fac"),
            Err(StoreError::AmbiguousAttachment { .. })
        ));
        assert_eq!(find(" 2C678FAC1 ").unwrap(), list[0].sha256);
        assert!(matches!(
            find("2c678fab"),
            Err(StoreError::UnknownAttachment { .. })
        ));
    }
    use crate::{KdfParams, Passphrase, Vault};

    fn vault(dir: &Path) -> Vault {
        let pass = Passphrase::new("correct horse battery staple".into()).unwrap();
        Vault::init(&dir.join("v"), &pass, KdfParams::new(8, 1).unwrap()).unwrap()
    }

    /// Reads a few bytes, then fails (a dying disk or a pulled USB stick), or first deletes
    /// the file it is reading.
    struct Failing<'a> {
        given: usize,
        delete: Option<&'a Path>,
    }

    impl Failing<'_> {
        fn deleted(&self) -> bool {
            self.given == usize::MAX
        }
    }

    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.deleted() {
                return Ok(0);
            }
            if self.given > 0 {
                if let Some(p) = self.delete.take() {
                    fs::remove_file(p)?;
                    self.given = usize::MAX;
                    let n = buf.len().min(1000);
                    buf[..n].fill(7);
                    return Ok(n);
                }
                return Err(io::Error::other("input/output error"));
            }
            let n = buf.len().min(100_000);
            buf[..n].fill(1);
            self.given += n;
            Ok(n)
        }
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().into_string().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    /// A vault with one testimony, shared with the recipient "Org", and that key.
    fn one_for_org(dir: &Path) -> (Vault, crate::bundle::OrgKey, String) {
        let mut v = vault(dir);
        let key = crate::bundle::OrgKey::generate();
        let store = v.store_mut();
        store.add_recipient("Org", &key.recipient()).unwrap();
        let t: crate::model::Testimony = crate::model::from_value(serde_json::json!({
            "schema": "aigaq/testimony/1",
            "consent": {"informed": true, "identity": "anonymous", "share_with": ["Org"]},
            "narrative": "x",
        }))
        .unwrap();
        let id = store.add(&[t]).unwrap()[0].to_string();
        (v, key, id)
    }

    #[test]
    fn a_phone_video_s_place_is_shown_and_named_when_it_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, key, id) = one_for_org(dir.path());
        let store = v.store_mut();
        let src = dir.path().join("clip.mp4");
        fs::write(&src, crate::media::video::tests::android(false)).unwrap();
        store.attach(&id, &[&src]).unwrap();
        let listed = store.attachments(&id).unwrap();
        let fields: Vec<&str> = listed[0]
            .warnings
            .iter()
            .map(|w| w.field.as_str())
            .collect();
        assert_eq!(listed[0].attachment.media_type, "video/mp4");
        assert_eq!(fields, ["gps_position", "camera"]);
        // Sent as it is, it is named; with --strip-metadata a copy without them goes.
        let all = crate::bundle::export::ExportOptions {
            all: true,
            ..Default::default()
        };
        let r = store.export("Org", &dir.path().join("a.age"), all).unwrap();
        assert_eq!(r.sent_with_metadata, ["clip.mp4"]);
        let strip = crate::bundle::export::ExportOptions {
            strip_metadata: true,
            ..all
        };
        let out = dir.path().join("b.age");
        let r = store.export("Org", &out, strip).unwrap();
        assert!(r.sent_with_metadata.is_empty());
        assert_eq!(r.attachments, 1);
        let mut sent = Vec::new();
        crate::bundle::inspect::read_bundle(&out, &key, KeepAttachments(&mut sent)).unwrap();
        let original = fs::read(&src).unwrap();
        assert_eq!(sent[0].len(), original.len());
        assert_ne!(sent[0], original);
        let mut sniffer = crate::media::Sniffer::new();
        sniffer.feed(&sent[0]);
        assert_eq!(sniffer.describe(), ("video/mp4".to_owned(), Vec::new()));
    }

    /// Keeps the attachments a bundle carries.
    /// An e-mail saved as a file, as the version before Aigaq knew e-mails stored it: taken
    /// for text, with nothing risky in it, and listed so by the revision, which cannot
    /// change. The detector of this build finds the sender's address, shows it, keeps what
    /// it found, and the stripped export goes by it rather than by the old type.
    #[test]
    fn what_an_older_detector_missed_is_shown_and_stripped_once_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, key, id) = one_for_org(dir.path());
        let store = v.store_mut();
        let mail = "Received: from aigerim-laptop (broadband.almaty.example.kz [5.34.18.77])\r\n by mx1.example.net with ESMTP; Wed, 5 Aug 2015 14:02:07 +0200\r\nFrom: Witness <witness@example.org>\r\nSubject: what I saw\r\n\r\nThey took him at night.\r\n";
        let src = dir.path().join("statement.eml");
        fs::write(&src, mail).unwrap();
        let mut report = |_| {};
        let mut staged = store
            .stage(&src, &mut Reporter::new(0, &mut report))
            .unwrap();
        assert_eq!(staged.media_type, "message/rfc822");
        staged.media_type = "text/plain".into();
        staged.warnings.clear();
        store
            .record_attachments(&id, vec![staged], &mut Vec::new())
            .unwrap();
        let older = |store: &Store| {
            store
                .conn
                .execute("UPDATE blobs SET detector = 0", [])
                .unwrap()
        };
        older(store);
        let stored = |store: &Store| -> (String, String, i64) {
            store
                .conn
                .query_row(
                    "SELECT media_type, metadata, detector FROM blobs",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap()
        };
        assert_eq!(stored(store), ("text/plain".into(), "[]".into(), 0));

        let listed = store.attachments(&id).unwrap();
        assert_eq!(listed[0].attachment.media_type, "text/plain");
        assert_eq!(listed[0].detected_type.as_deref(), Some("message/rfc822"));
        let found: Vec<(&str, &str)> = listed[0]
            .warnings
            .iter()
            .map(|w| (w.field.as_str(), w.value.as_str()))
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "network_address");
        assert!(found[0].1.contains("5.34.18.77"), "{found:?}");
        // Kept, so that it is read once.
        let (media_type, metadata, detector) = stored(store);
        assert_eq!(
            (media_type.as_str(), detector),
            ("message/rfc822", media::DETECTOR)
        );
        assert!(metadata.contains("5.34.18.77"));

        // And by `aigaq check`, which reads every attachment through, and says so.
        older(store);
        let checked = store.check_integrity().unwrap();
        assert_eq!(
            (checked.attachments, checked.read_again),
            (1, 1),
            "{checked:?}"
        );
        assert_eq!(stored(store).2, media::DETECTOR);
        assert_eq!(store.check_integrity().unwrap().read_again, 0);

        // Read again by the export too, which sends a copy without the address.
        older(store);
        let out = dir.path().join("b.age");
        let strip = crate::bundle::export::ExportOptions {
            strip_metadata: true,
            ..Default::default()
        };
        let r = store.export("Org", &out, strip).unwrap();
        assert!(r.sent_with_metadata.is_empty());
        assert_eq!(r.stripped.len(), 1);
        let mut sent = Vec::new();
        crate::bundle::inspect::read_bundle(&out, &key, KeepAttachments(&mut sent)).unwrap();
        let sent = String::from_utf8(sent.remove(0)).unwrap();
        assert_eq!(sent.len(), mail.len());
        assert!(!sent.contains("5.34.18.77") && !sent.contains("aigerim-laptop"));
        assert!(sent.contains("They took him at night."));
        assert_eq!(stored(store).2, media::DETECTOR);
    }

    /// A scan whose directories lie after 3 MiB of pixels, as libtiff writes them: what
    /// the first MiB cannot tell is read with seeks at attach, and again for one an older
    /// detector read, which did not.
    #[test]
    fn a_large_scan_names_its_scanner_and_owner_at_attach() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, _, id) = one_for_org(dir.path());
        let store = v.store_mut();
        let pixels: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 253) as u8).collect();
        let src = dir.path().join("page 1.tif");
        fs::write(&src, media::tiff_scan(&pixels)).unwrap();
        let attached = store.attach(&id, &[&src]).unwrap();
        let fields = |w: &[Warning]| -> Vec<String> {
            w.iter()
                .map(|w| format!("{}: {}", w.field, w.value))
                .collect()
        };
        let expected = [
            "owner_name: Aigerim Nurlanovna",
            "time: 2026-01-05 10:00:00",
            "camera: Aigaq Scanner",
        ];
        assert_eq!(fields(&attached[0].warnings), expected);
        store
            .conn
            .execute("UPDATE blobs SET metadata = '[]', detector = 1", [])
            .unwrap();
        let listed = store.attachments(&id).unwrap();
        assert_eq!(fields(&listed[0].warnings), expected);
    }

    struct KeepAttachments<'a>(&'a mut Vec<Vec<u8>>);

    impl crate::bundle::inspect::BundleSink for KeepAttachments<'_> {
        fn record(
            &mut self,
            _: &crate::bundle::inspect::VerifiedRecord<'_>,
        ) -> Result<(), crate::bundle::BundleError> {
            Ok(())
        }

        fn attachment(
            &mut self,
            _: &str,
            content: &mut dyn Read,
        ) -> Result<(), crate::bundle::BundleError> {
            let mut bytes = Vec::new();
            content.read_to_end(&mut bytes).unwrap();
            self.0.push(bytes);
            Ok(())
        }
    }

    #[test]
    fn a_file_that_fails_or_disappears_halfway_leaves_the_vault_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        let t: crate::model::Testimony = crate::model::from_value(
            serde_json::json!({"schema": "aigaq/testimony/1", "narrative": "x"}),
        )
        .unwrap();
        let id = v.store_mut().add(&[t]).unwrap()[0].to_string();
        let src = dir.path().join("video.mp4");
        fs::write(&src, vec![1u8; 300_000]).unwrap();
        let ledger = v.store().ledger().unwrap().len();
        let before = files(&v.store().blobs.path);

        let meta = fs::metadata(&src).unwrap();
        let mut report = |_| {};
        let mut reporter = Reporter::new(meta.len(), &mut report);
        let failing = v.store().stage_from(
            &src,
            &meta,
            &mut Failing {
                given: 0,
                delete: None,
            },
            &mut reporter,
        );
        assert!(
            matches!(failing, Err(StoreError::Source { .. })),
            "{:?}",
            failing.err()
        );
        let vanishing = v.store().stage_from(
            &src,
            &meta,
            &mut Failing {
                given: 0,
                delete: Some(&src),
            },
            &mut reporter,
        );
        let e = vanishing.err().unwrap().to_string();
        assert!(e.contains("disappeared"), "{e}");
        // Nothing was recorded and no file was left behind.
        assert_eq!(files(&v.store().blobs.path), before);
        assert_eq!(v.store().ledger().unwrap().len(), ledger);
        assert!(v.store().attachments(&id).unwrap().is_empty());

        // Among several files, one that cannot be read means none is attached.
        let good = dir.path().join("photo.jpg");
        fs::write(&good, b"fine").unwrap();
        let err = v
            .store_mut()
            .attach(
                &id,
                &[good.as_path(), dir.path().join("missing.wav").as_path()],
            )
            .unwrap_err();
        assert!(matches!(err, StoreError::Source { .. }));
        assert_eq!(files(&v.store().blobs.path), before);
        assert!(v.store().attachments(&id).unwrap().is_empty());
        v.store().verify_custody().unwrap();
    }
}
