//! Attachment content on disk, inside the vault folder (`attachments/`): each stored file is
//! encrypted under its own random 256-bit key, kept only in the encrypted database, with
//! AES-256-GCM in 64 KiB chunks (the STREAM construction age uses: a chunk counter and a
//! last-chunk flag in the nonce, so chunks cannot be reordered, dropped or cut off). AES-GCM
//! rather than ChaCha20-Poly1305 because evidence files are large and the processors this
//! runs on have AES instructions: it is about three times faster here. Files
//! have random names, so the folder shows only sizes. Deleting a key row from the database
//! (with `secure_delete`) makes its file unreadable even where the file's blocks survive.
//!
//! Content streams through in batches of 16 chunks: memory does not grow with the file. The
//! SHA-256 of the content is computed on a second thread and the file written on a third
//! while the first encrypts or decrypts (see `pipeline`), since hashing is the slowest step.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use super::pipeline::{Batch, ParallelSha256, Pool, WritebackFile, BATCH};
use crate::canonical;

/// Plaintext bytes per chunk.
pub(crate) const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const MAGIC: &[u8; 16] = b"aigaq-blob/1\n\0\0\0";

/// What went wrong with stored attachment content.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// Reading or writing a file failed.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// Stored content does not decrypt or does not match its hash.
    #[error("the stored attachment {sha256} is damaged or was altered ({reason}); `aigaq check` checks every attachment")]
    Damaged {
        /// Its SHA-256.
        sha256: String,
        /// What was found.
        reason: String,
    },
    /// The OS random source failed.
    #[error("the system's random number generator failed; nothing was written")]
    Randomness,
}

impl BlobError {
    /// The damage a blob reader's read error reports, if it is one.
    pub(crate) fn damaged_in(e: &io::Error) -> Option<BlobError> {
        match e.get_ref().and_then(|i| i.downcast_ref::<BlobError>()) {
            Some(BlobError::Damaged { sha256, reason }) => Some(BlobError::Damaged {
                sha256: sha256.clone(),
                reason: reason.clone(),
            }),
            _ => None,
        }
    }
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl Fn(io::Error) -> BlobError + 'a {
    move |source| BlobError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

fn nonce(counter: u64, last: bool) -> Nonce {
    let mut n = [0u8; 12];
    n[3..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = u8::from(last);
    Nonce::assume_unique_for_key(n)
}

fn random<const N: usize>() -> Result<[u8; N], BlobError> {
    let mut b = [0u8; N];
    SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| BlobError::Randomness)?;
    Ok(b)
}

fn aead_key(key: &[u8]) -> Result<LessSafeKey, BlobError> {
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| BlobError::Randomness)
}

/// The encrypted size of `size` plaintext bytes.
pub(crate) fn stored_len(size: u64) -> u64 {
    let chunks = size.div_ceil(CHUNK as u64).max(1);
    MAGIC.len() as u64 + size + chunks * TAG as u64
}

/// The vault's attachment folder.
#[derive(Debug, Clone)]
pub(crate) struct BlobDir {
    pub(crate) path: PathBuf,
}

/// A blob being written; it becomes visible only through [`BlobDir::keep`].
pub(crate) struct BlobWriter {
    out: WritebackFile,
    tmp: PathBuf,
    key: LessSafeKey,
    raw_key: Zeroizing<[u8; 32]>,
    /// The file's next bytes: sealed chunks with their tags (after the magic, in the first),
    /// then the open chunk (from `open_at`), sealed once it is full and more content
    /// follows, or at the end. Sent to the writing thread in whole aligned batches, which
    /// go to the disk without a copy.
    sealed: Batch,
    open_at: usize,
    /// Memory for the batches read and sealed.
    pool: Arc<Pool>,
    counter: u64,
    /// `None` when the caller checks the content's SHA-256 itself.
    hash: Option<ParallelSha256>,
    size: u64,
}

/// Room for a batch of sealed chunks and the open one.
const SEALED_CAPACITY: usize = BATCH + CHUNK + TAG;

/// Why [`BlobWriter::fill`] stopped: the content could not be read, or not stored.
pub(crate) enum FillError {
    Read(io::Error),
    Store(BlobError),
}

/// A finished, not yet kept blob.
pub(crate) struct Written {
    pub(crate) sha256: String,
    pub(crate) size: u64,
    pub(crate) key: Zeroizing<[u8; 32]>,
    pub(crate) tmp: PathBuf,
}

impl Written {
    /// Removes the temporary file (a duplicate, or a failed operation).
    pub(crate) fn discard(self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

impl BlobWriter {
    /// Appends a batch of plaintext (of any size), hashed on the other thread without a
    /// copy.
    pub(crate) fn write_batch(&mut self, data: Vec<u8>) -> Result<(), BlobError> {
        self.write_shared(Batch::new(data, false))
    }

    fn write_shared(&mut self, batch: Arc<Batch>) -> Result<(), BlobError> {
        if let Some(h) = self.hash.as_mut() {
            h.update_shared(Arc::clone(&batch));
        }
        self.absorb(&batch)
    }

    /// Streams `content` to its end into the blob, a batch at a time, showing each batch to
    /// `seen` (which tells its type and metadata). On failure the blob is abandoned.
    pub(crate) fn fill(
        mut self,
        content: &mut dyn Read,
        mut seen: impl FnMut(&[u8]),
    ) -> Result<Self, FillError> {
        loop {
            // A batch of its own each time: it goes to the hashing thread, not a copy.
            let mut batch = self.pool.batch(SEALED_CAPACITY);
            if let Err(e) = batch.read_from(&mut *content, BATCH as u64) {
                self.abandon();
                return Err(FillError::Read(e));
            }
            if batch.is_empty() {
                return Ok(self);
            }
            seen(&batch);
            if let Err(e) = self.write_shared(batch.share()) {
                self.abandon();
                return Err(FillError::Store(e));
            }
        }
    }

    fn absorb(&mut self, mut data: &[u8]) -> Result<(), BlobError> {
        self.size += data.len() as u64;
        while !data.is_empty() {
            // A full chunk is sealed only when more data follows, so the last chunk (the
            // one flagged last) is never empty unless the whole blob is.
            if self.sealed.len() - self.open_at == CHUNK {
                self.seal(false)?;
            }
            let n = (CHUNK - (self.sealed.len() - self.open_at)).min(data.len());
            self.sealed.extend_from_slice(&data[..n]);
            data = &data[n..];
        }
        Ok(())
    }

    fn seal(&mut self, last: bool) -> Result<(), BlobError> {
        let tag = self
            .key
            .seal_in_place_separate_tag(
                nonce(self.counter, last),
                Aad::empty(),
                &mut self.sealed.as_mut_slice()[self.open_at..],
            )
            .map_err(|_| BlobError::Randomness)?;
        self.sealed.extend_from_slice(tag.as_ref());
        self.counter += 1;
        if last || self.sealed.len() >= BATCH {
            // Exactly a batch goes, and what is past it starts the next one.
            let mut next = if last {
                Batch::aligned(0, false)
            } else {
                self.pool.batch(SEALED_CAPACITY)
            };
            if !last {
                next.extend_from_slice(&self.sealed[BATCH..]);
                self.sealed.truncate(BATCH);
            }
            let full = std::mem::replace(&mut self.sealed, next);
            self.out
                .write_shared(full.share())
                .map_err(io_err("write", &self.tmp))?;
        }
        self.open_at = self.sealed.len();
        Ok(())
    }

    /// Seals the last chunk and syncs the file.
    pub(crate) fn finish(self) -> Result<Written, BlobError> {
        self.finish_as(None)
    }

    /// As [`Self::finish`] for a writer from [`BlobDir::create_checked_by_caller`]: the
    /// content's SHA-256 is the one the caller has checked (or will check before anything
    /// refers to the blob).
    pub(crate) fn finish_checked_by_caller(self, sha256: &str) -> Result<Written, BlobError> {
        self.finish_as(Some(sha256))
    }

    fn finish_as(mut self, checked: Option<&str>) -> Result<Written, BlobError> {
        self.seal(true)?;
        self.out.finish().map_err(io_err("write", &self.tmp))?;
        let sha256 = match (self.hash.take(), checked) {
            (Some(h), _) => h.finish().ok_or_else(|| BlobError::Damaged {
                sha256: String::new(),
                reason: "the hashing thread stopped".into(),
            })?,
            (None, Some(sha)) => sha.to_owned(),
            (None, None) => {
                return Err(BlobError::Damaged {
                    sha256: String::new(),
                    reason: "no SHA-256 was computed for it".into(),
                })
            }
        };
        Ok(Written {
            sha256,
            size: self.size,
            key: self.raw_key,
            tmp: self.tmp,
        })
    }

    /// Abandons the blob and removes its file.
    pub(crate) fn abandon(self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

impl BlobDir {
    pub(crate) fn new(vault_dir: &Path) -> Self {
        Self {
            path: vault_dir.join("attachments"),
        }
    }

    fn ensure(&self) -> Result<(), BlobError> {
        match fs::DirBuilder::new().mode(0o700).create(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(io_err("create", &self.path)(e)),
        }
    }

    /// Starts a new blob under a temporary name, with a fresh key.
    pub(crate) fn create(&self) -> Result<BlobWriter, BlobError> {
        self.create_with(Some(ParallelSha256::new()))
    }

    /// As [`Self::create`], without hashing: for content the caller hashes itself (an
    /// import, whose bundle reader checks every attachment's SHA-256 before the import can
    /// commit), so that it is not hashed twice.
    pub(crate) fn create_checked_by_caller(&self) -> Result<BlobWriter, BlobError> {
        self.create_with(None)
    }

    fn create_with(&self, hash: Option<ParallelSha256>) -> Result<BlobWriter, BlobError> {
        self.ensure()?;
        let tmp = self
            .path
            .join(format!(".{}.part", canonical::hex(&random::<16>()?)));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io_err("create", &tmp))?;
        let raw_key = Zeroizing::new(random::<32>()?);
        let key = aead_key(&raw_key[..])?;
        let out = WritebackFile::new(file).map_err(io_err("write", &tmp))?;
        let pool = Pool::new(false);
        let mut sealed = pool.batch(SEALED_CAPACITY);
        sealed.extend_from_slice(MAGIC);
        Ok(BlobWriter {
            out,
            tmp,
            key,
            raw_key,
            open_at: sealed.len(),
            sealed,
            pool,
            counter: 0,
            hash,
            size: 0,
        })
    }

    /// Gives a finished blob a random permanent name; returns the name. The caller records
    /// it (with the key) in the database; a crash before that leaves an unreferenced file,
    /// which [`Self::sweep`] removes.
    pub(crate) fn keep(&self, written: Written) -> Result<String, BlobError> {
        let name = canonical::hex(&random::<16>()?);
        let to = self.path.join(&name);
        fs::rename(&written.tmp, &to).map_err(io_err("store", &to))?;
        if let Ok(dir) = File::open(&self.path) {
            let _ = dir.sync_all();
        }
        Ok(name)
    }

    /// Opens a finished blob before it is kept, to read parts of it again.
    pub(crate) fn open_written(&self, written: &Written) -> Result<BlobReader, BlobError> {
        let name = written
            .tmp
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        self.open(name, &written.key[..], &written.sha256, written.size)
    }

    /// Opens a stored blob for reading.
    pub(crate) fn open(
        &self,
        name: &str,
        key: &[u8],
        sha256: &str,
        size: u64,
    ) -> Result<BlobReader, BlobError> {
        let path = self.path.join(name);
        let damaged = |reason: String| BlobError::Damaged {
            sha256: sha256.to_owned(),
            reason,
        };
        let file = File::open(&path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => damaged("its file is missing".into()),
            _ => io_err("open", &path)(e),
        })?;
        let len = file.metadata().map_err(io_err("read", &path))?.len();
        if len != stored_len(size) {
            return Err(damaged(format!(
                "its file is {len} bytes, {} expected",
                stored_len(size)
            )));
        }
        let mut input = file;
        let mut magic = [0u8; 16];
        input
            .read_exact(&mut magic)
            .map_err(io_err("read", &path))?;
        if &magic != MAGIC {
            return Err(damaged("it is not an Aigaq attachment file".into()));
        }
        Ok(BlobReader {
            input,
            key: aead_key(key)?,
            chunks: size.div_ceil(CHUNK as u64).max(1),
            counter: 0,
            batch: None,
            pool: Pool::new(true),
            pos: 0,
            batch_at: 0,
            hash: Some(ParallelSha256::new()),
            seeked: false,
            sha256: sha256.to_owned(),
            size,
        })
    }

    /// Overwrites and removes a blob's file (its key row is deleted by the caller).
    pub(crate) fn remove(&self, name: &str) {
        let path = self.path.join(name);
        if let Ok(len) = fs::metadata(&path).map(|m| m.len()) {
            let _ = overwrite(&path, len);
        }
        let _ = fs::remove_file(&path);
    }

    /// Removes several blobs' files.
    pub(crate) fn remove_all(&self, names: &[String]) {
        for n in names {
            self.remove(n);
        }
    }

    /// Removes files the database does not reference: blobs left by a crash between
    /// writing the file and committing its row, and unfinished `.part` files.
    pub(crate) fn sweep(&self, referenced: &dyn Fn(&str) -> bool) -> Result<usize, BlobError> {
        let entries = match fs::read_dir(&self.path) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(io_err("read", &self.path)(e)),
        };
        let mut removed = 0;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !referenced(&name) {
                self.remove(&name);
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Overwrites a file's bytes with zeros and syncs it. On flash storage and copy-on-write
/// file systems the old blocks may survive; callers say so.
pub(crate) fn overwrite(path: &Path, len: u64) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).open(path)?;
    io::copy(&mut io::repeat(0).take(len), &mut f)?;
    f.sync_all()
}

fn damaged_io(sha256: &str, reason: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        BlobError::Damaged {
            sha256: sha256.to_owned(),
            reason: reason.into(),
        },
    )
}

/// Decrypts a blob as it is read, and checks at the end that the whole content matches its
/// SHA-256; a reader that reaches the end without an error has delivered exactly the
/// original bytes.
pub(crate) struct BlobReader {
    input: File,
    key: LessSafeKey,
    chunks: u64,
    counter: u64,
    /// Decrypted content of the last batch of chunks read, wiped once nothing holds it.
    batch: Option<Arc<Batch>>,
    /// Memory for decrypted batches, wiped when the reader and its batches are gone.
    pool: Arc<Pool>,
    pos: usize,
    /// Where the current batch starts in the content.
    batch_at: u64,
    hash: Option<ParallelSha256>,
    /// Set by a seek: the whole content is no longer read in order, so its SHA-256 is not
    /// checked (each chunk still decrypts only as itself, in its place).
    seeked: bool,
    sha256: String,
    size: u64,
}

impl BlobReader {
    fn damaged(&self, reason: &str) -> io::Error {
        damaged_io(&self.sha256, reason)
    }

    /// Reads and decrypts the next chunks, up to a batch.
    fn next_batch(&mut self) -> io::Result<bool> {
        if self.counter == self.chunks {
            return Ok(false);
        }
        let count = (self.chunks - self.counter).min((BATCH / CHUNK) as u64);
        let includes_last = self.counter + count == self.chunks;
        let plain_total = if includes_last {
            self.size - self.counter * CHUNK as u64
        } else {
            count * CHUNK as u64
        };
        let sealed_total = plain_total + count * TAG as u64;
        // Aligned and a whole number of pages (but for the last), so that an extracted
        // copy goes to the disk without another copy.
        let mut buf = self.pool.batch(sealed_total as usize);
        let got = buf
            .read_from(&mut self.input, sealed_total)
            .map_err(|_| self.damaged("it could not be read"))?;
        if got as u64 != sealed_total {
            return Err(self.damaged("it is cut short"));
        }
        // Each chunk is opened in place and its plaintext moved up over the tags before it.
        let mut plain_len = 0usize;
        let mut at = 0usize;
        for _ in 0..count {
            let last = self.counter + 1 == self.chunks;
            let len = if last {
                (self.size - self.counter * CHUNK as u64) as usize
            } else {
                CHUNK
            };
            let bytes = buf.as_mut_slice();
            let opened = self
                .key
                .open_in_place(
                    nonce(self.counter, last),
                    Aad::empty(),
                    &mut bytes[at..at + len + TAG],
                )
                .map_err(|_| damaged_io(&self.sha256, "a chunk does not decrypt"))?
                .len();
            bytes.copy_within(at..at + opened, plain_len);
            plain_len += opened;
            at += len + TAG;
            self.counter += 1;
        }
        buf.truncate(plain_len);
        self.batch_at = (self.counter - count) * CHUNK as u64;
        let batch = buf.share();
        if let Some(h) = self.hash.as_mut() {
            h.update_shared(Arc::clone(&batch));
        }
        self.batch = Some(batch);
        self.pos = 0;
        if includes_last && !self.seeked {
            let got = self.hash.take().and_then(ParallelSha256::finish);
            if got.as_deref() != Some(self.sha256.as_str()) {
                self.batch = None;
                return Err(self.damaged("its content does not match its SHA-256"));
            }
        }
        Ok(true)
    }

    fn current(&self) -> &[u8] {
        self.batch.as_deref().map_or(&[], |b| &b[self.pos..])
    }

    /// Writes the rest of the content to `out`, handing it whole batches without a copy;
    /// returns the bytes written.
    pub(crate) fn write_to(&mut self, out: &mut WritebackFile) -> io::Result<u64> {
        let mut total = self.current().len() as u64;
        out.write_all(self.current())?;
        while self.next_batch()? {
            if let Some(batch) = &self.batch {
                total += batch.len() as u64;
                out.write_shared(Arc::clone(batch))?;
            }
        }
        self.batch = None;
        Ok(total)
    }
}

impl BlobReader {
    /// Writes the rest of the content to `out` a batch at a time (`io::copy` would pass it
    /// through a small buffer); returns the bytes written.
    pub(crate) fn copy_to(&mut self, out: &mut dyn Write) -> io::Result<u64> {
        let mut total = 0u64;
        loop {
            let here = self.current();
            out.write_all(here)?;
            total += here.len() as u64;
            self.batch = None;
            if !self.next_batch()? {
                return Ok(total);
            }
        }
    }
}

/// Moving anywhere (but nowhere) gives up the check of the whole content's SHA-256 at its
/// end: for reading a file's index (a video's `moov`) without decrypting all of it, never
/// for copying content. A seek past the end reads nothing.
impl Seek for BlobReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let here = match &self.batch {
            Some(_) => self.batch_at + self.pos as u64,
            None => (self.counter * CHUNK as u64).min(self.size),
        };
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => here.checked_add_signed(d),
            SeekFrom::End(d) => self.size.checked_add_signed(d),
        }
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a seek before the start"))?;
        if target == here {
            return Ok(target);
        }
        self.seeked = true;
        self.hash = None;
        if let Some(b) = &self.batch {
            if (self.batch_at..=self.batch_at + b.len() as u64).contains(&target) {
                self.pos = (target - self.batch_at) as usize;
                return Ok(target);
            }
        }
        self.batch = None;
        self.pos = 0;
        if target >= self.size {
            self.counter = self.chunks;
            return Ok(target);
        }
        let chunk = target / CHUNK as u64;
        self.input
            .seek(SeekFrom::Start(
                MAGIC.len() as u64 + chunk * (CHUNK + TAG) as u64,
            ))
            .map_err(|_| self.damaged("it could not be read"))?;
        self.counter = chunk;
        if target > chunk * CHUNK as u64 && self.next_batch()? {
            self.pos = (target - self.batch_at) as usize;
        }
        Ok(target)
    }
}

impl Read for BlobReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.current().is_empty() {
            if !self.next_batch()? {
                return Ok(0);
            }
        }
        let here = self.current();
        let n = here.len().min(out.len());
        out[..n].copy_from_slice(&here[..n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(len: usize) {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobDir::new(dir.path());
        let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let mut w = blobs.create().unwrap();
        for part in data.chunks(10_000) {
            w.write_batch(part.to_vec()).unwrap();
        }
        let written = w.finish().unwrap();
        assert_eq!(written.sha256, canonical::sha256_hex(&data));
        assert_eq!(written.size, len as u64);
        let key = written.key.clone();
        let sha = written.sha256.clone();
        let name = blobs.keep(written).unwrap();
        let stored = fs::read(blobs.path.join(&name)).unwrap();
        assert_eq!(stored.len() as u64, stored_len(len as u64));
        let mut back = Vec::new();
        blobs
            .open(&name, &key[..], &sha, len as u64)
            .unwrap()
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn content_round_trips_at_every_chunk_boundary() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5] {
            round_trip(len);
        }
    }

    #[test]
    fn altered_reordered_or_cut_content_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobDir::new(dir.path());
        let data = vec![42u8; 2 * CHUNK + 10];
        let mut w = blobs.create().unwrap();
        w.write_batch(data.clone()).unwrap();
        let written = w.finish().unwrap();
        let (key, sha) = (written.key.clone(), written.sha256.clone());
        let name = blobs.keep(written).unwrap();
        let path = blobs.path.join(&name);
        let good = fs::read(&path).unwrap();
        let read = |bytes: &[u8]| {
            fs::write(&path, bytes).unwrap();
            let mut out = Vec::new();
            blobs
                .open(&name, &key[..], &sha, data.len() as u64)
                .and_then(|mut r| {
                    r.read_to_end(&mut out).map_err(|e| BlobError::Damaged {
                        sha256: sha.clone(),
                        reason: e.to_string(),
                    })
                })
                .map(|_| out)
        };
        assert_eq!(read(&good).unwrap(), data);
        let mut flipped = good.clone();
        flipped[100] ^= 1;
        assert!(read(&flipped).is_err());
        let c = CHUNK + TAG;
        let mut swapped = good.clone();
        swapped[16..16 + c].copy_from_slice(&good[16 + c..16 + 2 * c]);
        swapped[16 + c..16 + 2 * c].copy_from_slice(&good[16..16 + c]);
        assert!(read(&swapped).is_err());
        assert!(read(&good[..good.len() - 1]).is_err());
        // The right key for another blob's content does not open it either.
        let mut w = blobs.create().unwrap();
        w.write_batch(data.clone()).unwrap();
        let other = w.finish().unwrap();
        let other_bytes = fs::read(&other.tmp).unwrap();
        assert!(read(&other_bytes).is_err());
    }

    #[test]
    fn a_seeking_reader_reads_every_place_as_stored_and_still_refuses_damage() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobDir::new(dir.path());
        let len = 2 * BATCH + 3 * CHUNK + 123;
        let data: Vec<u8> = (0..len).map(|i| (i * 13 % 251) as u8).collect();
        let mut w = blobs.create().unwrap();
        w.write_batch(data.clone()).unwrap();
        let written = w.finish().unwrap();
        let (key, sha) = (written.key.clone(), written.sha256.clone());
        let name = blobs.keep(written).unwrap();
        let open = || blobs.open(&name, &key[..], &sha, len as u64).unwrap();
        let read_at = |r: &mut BlobReader, to: SeekFrom| {
            let at = r.seek(to).unwrap() as usize;
            let mut got = vec![0u8; 3000];
            let mut n = 0;
            while n < got.len() {
                match r.read(&mut got[n..]).unwrap() {
                    0 => break,
                    k => n += k,
                }
            }
            got.truncate(n);
            (at, got)
        };
        let mut r = open();
        for to in [
            SeekFrom::Start(5),
            SeekFrom::Start((CHUNK - 1) as u64),
            SeekFrom::Start(BATCH as u64 + 7),
            SeekFrom::Current(-100),
            SeekFrom::Current(4000),
            SeekFrom::Start(0),
            SeekFrom::End(-10),
            SeekFrom::Start(2 * BATCH as u64),
            SeekFrom::End(0),
            SeekFrom::Start(len as u64 + 10),
            SeekFrom::Start(CHUNK as u64),
        ] {
            let (at, got) = read_at(&mut r, to);
            let want = &data[at.min(len)..(at + 3000).min(len)];
            assert!(got == want, "{to:?}: {} bytes at {at}", got.len());
        }
        assert!(r.seek(SeekFrom::Current(-(len as i64) - 1)).is_err());
        // Read to its end after seeking: the whole content was not hashed, and that is no
        // error; the check still applies to a reader that never moved.
        r.seek(SeekFrom::Start(0)).unwrap();
        let mut all = Vec::new();
        r.read_to_end(&mut all).unwrap();
        assert_eq!(all, data);
        // A damaged chunk is refused wherever it is reached from.
        let path = blobs.path.join(&name);
        let mut stored = fs::read(&path).unwrap();
        stored[16 + 2 * (CHUNK + TAG) + 10] ^= 1;
        fs::write(&path, &stored).unwrap();
        assert!(open().seek(SeekFrom::Start(2 * CHUNK as u64 + 1)).is_err());
        let mut r = open();
        r.seek(SeekFrom::Start(2 * CHUNK as u64)).unwrap();
        assert!(r.read(&mut [0u8; 1]).is_err());
    }

    #[test]
    fn sweep_removes_what_the_database_does_not_know() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobDir::new(dir.path());
        let mut w = blobs.create().unwrap();
        w.write_batch(b"kept".to_vec()).unwrap();
        let kept = blobs.keep(w.finish().unwrap()).unwrap();
        let mut w = blobs.create().unwrap();
        w.write_batch(b"orphan".to_vec()).unwrap();
        blobs.keep(w.finish().unwrap()).unwrap();
        let mut w = blobs.create().unwrap();
        w.write_batch(b"unfinished".to_vec()).unwrap();
        drop(w);
        assert_eq!(blobs.sweep(&|n| n == kept).unwrap(), 2);
        let left: Vec<_> = fs::read_dir(&blobs.path)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left, vec![kept]);
    }
}
