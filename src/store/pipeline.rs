//! Large content (evidence files of gigabytes) streamed through three threads: one reads
//! and encrypts or decrypts, one computes the SHA-256, one writes. Batches of about a MiB
//! are shared between them, never copied, and only a few are in flight, so memory does not
//! grow with the file; their memory goes back to a [`Pool`] and is filled again. With two
//! cores and three threads, every copy and every fresh page costs the whole pipeline time,
//! so batches are built page-aligned where they can be, and go to the disk as they are.
//!
//! Every stored or extracted file is synced before the database says it is there, so the
//! disk's own speed sets the pace. Written through the page cache, a gigabyte would wait in
//! memory until the final `fsync`, which then takes as long as the copy; and in virtual
//! machines that hand free memory back to their host, touching that much new page cache
//! costs more than the copy itself. So the writing thread writes directly to the disk
//! (`O_DIRECT`, aligned 1 MiB writes, only the last partial block through the page cache)
//! while the other threads encrypt and hash, and the final sync has almost nothing left to
//! do. Where the file system refuses direct I/O (tmpfs, some network and stacked file
//! systems), it writes through the page cache and asks for writeback of each stretch as
//! soon as it is written (`posix_fadvise(DONTNEED)` starts it without waiting, and drops
//! the pages once they are clean). Plaintext written this way (an extracted file) also
//! does not linger in the page cache.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::num::NonZeroU64;
use std::ops::Deref;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use ring::digest::{Context, SHA256};
use rustix::io::Errno;
use zeroize::Zeroize;

use crate::canonical;

/// Bytes per batch.
pub(crate) const BATCH: usize = 1024 * 1024;
/// Batches queued for each thread: bounds memory (a few MiB) whatever the file's size.
const IN_FLIGHT: usize = 4;
/// Written bytes after which writeback of them is started.
const KICK: u64 = 8 * 1024 * 1024;

/// Bytes passed between threads; with `wipe`, overwritten when the last holder lets go
/// (decrypted evidence must not linger in freed memory). A batch made with
/// [`Batch::aligned`] starts at a page boundary, so the writing thread can hand whole pages
/// of it to the disk as they are instead of copying them into its own aligned buffer; that
/// is only a saving, never needed for correctness: whatever is not aligned is copied.
pub(crate) struct Batch {
    bytes: Vec<u8>,
    /// Where the content starts in `bytes` (the padding before it is not content).
    start: usize,
    wipe: bool,
    /// Where its memory goes back to once nothing holds it.
    pool: Option<Arc<Pool>>,
}

/// Memory of batches that nothing holds any more, filled again by the next ones: a file of
/// gigabytes then touches only a few MiB of fresh memory (every fresh page costs the kernel
/// a clearing), and decrypted bytes are wiped once, when the pool goes, instead of after
/// every batch. The pool goes when its owner and the last batch from it have let go.
pub(crate) struct Pool {
    spare: Mutex<Vec<Vec<u8>>>,
    wipe: bool,
}

/// Buffers a pool keeps: more than can be in flight at once.
const POOL_KEPT: usize = 4 * IN_FLIGHT;

impl Pool {
    /// A pool of batches wiped (or not) as [`Batch::new`] says.
    pub(crate) fn new(wipe: bool) -> Arc<Self> {
        Arc::new(Self {
            spare: Mutex::new(Vec::new()),
            wipe,
        })
    }

    /// An empty aligned batch of at least `capacity` bytes, from the pool's memory where
    /// it has some.
    pub(crate) fn batch(self: &Arc<Self>, capacity: usize) -> Batch {
        let reused = self.spare.lock().ok().and_then(|mut s| s.pop());
        let mut batch = match reused {
            Some(bytes) if bytes.capacity() >= capacity + ALIGN => {
                Batch::in_memory(bytes, self.wipe)
            }
            other => {
                // Too small (a pool's batches are all about the same size): let it go.
                if let Some(bytes) = other {
                    wipe_vec(bytes, self.wipe);
                }
                Batch::aligned(capacity, self.wipe)
            }
        };
        batch.pool = Some(Arc::clone(self));
        batch
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        if let Ok(spare) = self.spare.get_mut() {
            for bytes in spare.drain(..) {
                wipe_vec(bytes, self.wipe);
            }
        }
    }
}

/// Wipes (if asked) all of a vector's memory, in use or not, and frees it.
fn wipe_vec(mut bytes: Vec<u8>, wipe: bool) {
    if wipe {
        // As slices: `Vec::zeroize` wipes byte by byte, a third of extract's time.
        bytes.as_mut_slice().zeroize();
        bytes.spare_capacity_mut().zeroize();
    }
}

impl Batch {
    pub(crate) fn new(bytes: Vec<u8>, wipe: bool) -> Arc<Self> {
        Arc::new(Self {
            bytes,
            start: 0,
            wipe,
            pool: None,
        })
    }

    /// An empty batch with room for `capacity` bytes from a page boundary on.
    pub(crate) fn aligned(capacity: usize, wipe: bool) -> Self {
        Self::in_memory(Vec::with_capacity(capacity + ALIGN), wipe)
    }

    /// An empty batch in `bytes`'s memory, from its first page boundary on.
    fn in_memory(mut bytes: Vec<u8>, wipe: bool) -> Self {
        bytes.clear();
        let start = bytes.as_ptr().align_offset(ALIGN).min(ALIGN);
        bytes.resize(start, 0);
        Self {
            bytes,
            start,
            wipe,
            pool: None,
        }
    }

    pub(crate) fn extend_from_slice(&mut self, more: &[u8]) {
        self.bytes.extend_from_slice(more);
    }

    /// Appends up to `limit` bytes read from `from`; returns how many.
    pub(crate) fn read_from(&mut self, from: impl io::Read, limit: u64) -> io::Result<usize> {
        from.take(limit).read_to_end(&mut self.bytes)
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.bytes.truncate(self.start + len);
    }

    /// Drops the first `len` bytes, moving the rest to the start (which stays aligned).
    fn remove_front(&mut self, len: usize) {
        self.bytes.copy_within(self.start + len.., self.start);
        self.truncate(self.len() - len);
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.bytes[self.start..]
    }

    pub(crate) fn share(self) -> Arc<Self> {
        Arc::new(self)
    }
}

impl Deref for Batch {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        let bytes = std::mem::take(&mut self.bytes);
        if let Some(pool) = &self.pool {
            if let Ok(mut spare) = pool.spare.lock() {
                if spare.len() < POOL_KEPT {
                    spare.push(bytes);
                    return;
                }
            }
        }
        wipe_vec(bytes, self.wipe);
    }
}

/// SHA-256 on a thread of its own. Where no thread can be started, it hashes inline.
pub(crate) enum ParallelSha256 {
    Thread {
        worker: HashWorker,
        /// Small pieces gathered into a batch, so few messages cross threads.
        pending: Vec<u8>,
        failed: bool,
    },
    Inline(Context),
}

impl ParallelSha256 {
    pub(crate) fn new() -> Self {
        let (tx, rx) = sync_channel::<Arc<Batch>>(IN_FLIGHT);
        let spawned = std::thread::Builder::new()
            .name("aigaq-sha256".into())
            .spawn(move || {
                let mut c = Context::new(&SHA256);
                for part in rx {
                    c.update(&part);
                }
                canonical::hex(c.finish().as_ref())
            });
        match spawned {
            Ok(handle) => Self::Thread {
                worker: HashWorker {
                    tx: Some(tx),
                    handle: Some(handle),
                },
                pending: Vec::new(),
                failed: false,
            },
            Err(_) => Self::Inline(Context::new(&SHA256)),
        }
    }

    /// Hashes a copy of `bytes` (for small pieces; see [`Self::update_shared`]).
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Self::Thread { pending, .. } => {
                pending.extend_from_slice(bytes);
                if pending.len() >= BATCH {
                    let full = std::mem::take(pending);
                    self.send(Batch::new(full, false));
                }
            }
            Self::Inline(c) => c.update(bytes),
        }
    }

    /// Hashes a batch without copying it.
    pub(crate) fn update_shared(&mut self, batch: Arc<Batch>) {
        match self {
            Self::Thread { pending, .. } => {
                if !pending.is_empty() {
                    let before = std::mem::take(pending);
                    self.send(Batch::new(before, false));
                }
                self.send(batch);
            }
            Self::Inline(c) => c.update(&batch),
        }
    }

    fn send(&mut self, batch: Arc<Batch>) {
        if let Self::Thread { worker, failed, .. } = self {
            let sent = worker.tx.as_ref().is_some_and(|tx| tx.send(batch).is_ok());
            if !sent {
                *failed = true;
            }
        }
    }

    /// The digest, or `None` if the hashing thread died.
    pub(crate) fn finish(mut self) -> Option<String> {
        if let Self::Thread { pending, .. } = &mut self {
            if !pending.is_empty() {
                let rest = std::mem::take(pending);
                self.send(Batch::new(rest, false));
            }
        }
        match self {
            Self::Thread {
                mut worker, failed, ..
            } => {
                let hex = worker.join();
                if failed {
                    None
                } else {
                    hex
                }
            }
            Self::Inline(c) => Some(canonical::hex(c.finish().as_ref())),
        }
    }
}

/// The hashing thread, which ends once nothing more can be sent to it: it is waited for
/// when the hash is finished, and also when it is dropped unfinished (a failed read), so
/// that no thread outlives the work it was started for.
pub(crate) struct HashWorker {
    tx: Option<SyncSender<Arc<Batch>>>,
    handle: Option<JoinHandle<String>>,
}

impl HashWorker {
    fn join(&mut self) -> Option<String> {
        self.tx = None;
        self.handle.take().and_then(|h| h.join().ok())
    }
}

impl Drop for HashWorker {
    fn drop(&mut self) {
        self.join();
    }
}

/// A file written on a thread of its own, its pages sent to disk as it grows (see the
/// module documentation).
pub(crate) struct WritebackFile {
    /// Small writes gathered into a page-aligned batch, sent when it holds [`STAGE`] bytes
    /// (so that it goes to the disk without another copy).
    buf: Batch,
    pool: Arc<Pool>,
    /// `None` once the thread has stopped.
    tx: Option<SyncSender<Arc<Batch>>>,
    worker: Option<JoinHandle<io::Result<File>>>,
}

/// Alignment of memory, lengths and file offsets for direct writes (a page: more than any
/// disk's logical block).
const ALIGN: usize = 4096;
/// Bytes per direct write.
const STAGE: usize = BATCH;

/// The file, written directly to the disk where it allows (see [`WritebackFile`]).
struct Disk {
    file: File,
    direct: bool,
    /// For direct writes: bytes waiting for a whole aligned block, in an aligned batch of
    /// [`STAGE`] bytes' room. Wiped when dropped: decrypted evidence may pass through.
    stage: Batch,
    /// For writes through the page cache: bytes written, and up to where writeback has
    /// been asked for.
    written: u64,
    kicked: u64,
}

impl Disk {
    fn new(file: File) -> Self {
        // Direct I/O needs the file at offset 0 and a file system that takes it (tmpfs,
        // for one, refuses).
        let at_start = (&file).stream_position().is_ok_and(|p| p == 0);
        let direct = at_start
            && rustix::fs::fcntl_getfl(&file)
                .and_then(|f| rustix::fs::fcntl_setfl(&file, f | rustix::fs::OFlags::DIRECT))
                .is_ok();
        let stage = Batch::aligned(if direct { STAGE } else { 0 }, true);
        Self {
            file,
            direct,
            stage,
            written: 0,
            kicked: 0,
        }
    }

    fn write(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        // Whole pages that arrive aligned while nothing is staged go to the disk as they
        // are (see [`Batch::aligned`]).
        if self.direct && self.stage.is_empty() && bytes.as_ptr().align_offset(ALIGN) == 0 {
            let whole = bytes.len() / ALIGN * ALIGN;
            if whole > 0 {
                write_out(&self.file, &mut self.direct, &bytes[..whole])?;
                self.written += whole as u64;
                self.kicked = self.written;
                bytes = &bytes[whole..];
            }
        }
        while self.direct && !bytes.is_empty() {
            let n = (STAGE - self.stage.len()).min(bytes.len());
            self.stage.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            if self.stage.len() == STAGE {
                self.write_stage(STAGE)?;
            }
        }
        if bytes.is_empty() {
            return Ok(());
        }
        self.file.write_all(bytes)?;
        self.written += bytes.len() as u64;
        if self.written - self.kicked >= KICK {
            // Only a hint: a kernel that ignores it costs the final sync some time.
            if let Some(len) = NonZeroU64::new(self.written - self.kicked) {
                let _ = rustix::fs::fadvise(
                    &self.file,
                    self.kicked,
                    Some(len),
                    rustix::fs::Advice::DontNeed,
                );
            }
            self.kicked = self.written;
        }
        Ok(())
    }

    /// Writes the first `len` staged bytes (a multiple of [`ALIGN`] while direct) and keeps
    /// the rest staged.
    fn write_stage(&mut self, len: usize) -> io::Result<()> {
        write_out(&self.file, &mut self.direct, &self.stage[..len])?;
        self.stage.remove_front(len);
        self.written += len as u64;
        self.kicked = self.written;
        Ok(())
    }

    /// Writes what is staged and syncs.
    fn finish(mut self) -> io::Result<File> {
        if self.direct {
            let whole = self.stage.len() / ALIGN * ALIGN;
            if whole > 0 {
                self.write_stage(whole)?;
            }
            // The tail is less than a block: through the page cache.
            if self.direct {
                leave_direct(&self.file)?;
                self.direct = false;
            }
            let tail = self.stage.len();
            self.write_stage(tail)?;
        }
        self.file.sync_all()?;
        Ok(self.file)
    }
}

/// Writes all of `bytes` (a multiple of [`ALIGN`], from an aligned address, while
/// `direct`). A file system that takes the direct flag but refuses the write gets this and
/// everything after it through the page cache.
fn write_out(mut file: &File, direct: &mut bool, bytes: &[u8]) -> io::Result<()> {
    let mut done = 0;
    while done < bytes.len() {
        match file.write(&bytes[done..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if *direct && e.raw_os_error() == Some(Errno::INVAL.raw_os_error()) => {
                leave_direct(file)?;
                *direct = false;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn leave_direct(file: &File) -> io::Result<()> {
    let flags = rustix::fs::fcntl_getfl(file)?;
    rustix::fs::fcntl_setfl(file, flags - rustix::fs::OFlags::DIRECT)?;
    Ok(())
}

fn stopped() -> io::Error {
    io::Error::other("the thread writing the file stopped")
}

impl Drop for WritebackFile {
    /// Dropped unfinished (a failed attach or export): the thread is told to stop and waited
    /// for, so that it does not go on writing to a file its owner is removing.
    fn drop(&mut self) {
        self.tx = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl WritebackFile {
    /// Takes over `file`, positioned where writing starts. Fails only if no thread can be
    /// started.
    pub(crate) fn new(file: File) -> io::Result<Self> {
        let (tx, rx) = sync_channel::<Arc<Batch>>(IN_FLIGHT);
        let mut disk = Disk::new(file);
        let worker = std::thread::Builder::new()
            .name("aigaq-writeback".into())
            .spawn(move || {
                for batch in rx {
                    disk.write(&batch)?;
                }
                disk.finish()
            })?;
        let pool = Pool::new(false);
        Ok(Self {
            buf: pool.batch(STAGE),
            pool,
            tx: Some(tx),
            worker: Some(worker),
        })
    }

    fn send(&mut self, batch: Arc<Batch>) -> io::Result<()> {
        let Some(tx) = &self.tx else {
            return Err(stopped());
        };
        if tx.send(batch).is_err() {
            // The thread stopped on an error: that error is the one to report.
            self.tx = None;
            return Err(match self.worker.take().map(JoinHandle::join) {
                Some(Ok(Err(e))) => e,
                _ => stopped(),
            });
        }
        Ok(())
    }

    fn send_gathered(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let gathered = std::mem::replace(&mut self.buf, self.pool.batch(STAGE));
        self.send(gathered.share())
    }

    /// Writes a batch without copying it.
    pub(crate) fn write_shared(&mut self, batch: Arc<Batch>) -> io::Result<()> {
        self.send_gathered()?;
        self.send(batch)
    }

    /// Writes what is left, syncs the file to disk and gives it back. The error of a write
    /// that failed on the thread comes out here.
    pub(crate) fn finish(mut self) -> io::Result<File> {
        self.send_gathered()?;
        self.tx = None;
        match self.worker.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            _ => Err(stopped()),
        }
    }
}

impl Write for WritebackFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.write_all(data)?;
        Ok(data.len())
    }

    fn write_all(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let n = (STAGE - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.buf.len() == STAGE {
                self.send_gathered()?;
            }
        }
        Ok(())
    }

    /// Batches go to disk as they fill; `finish` writes the rest and syncs.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_written_arrives_in_order_and_synced() {
        // Directly to the disk, and (tmpfs refuses direct I/O) through the page cache.
        let dir = tempfile::tempdir().unwrap();
        everything_arrives(&dir.path().join("out"));
        if let Ok(shm) = tempfile::tempdir_in("/dev/shm") {
            everything_arrives(&shm.path().join("out"));
        }
    }

    fn everything_arrives(path: &std::path::Path) {
        let mut w = WritebackFile::new(File::create(path).unwrap()).unwrap();
        let mut expected = Vec::new();
        // Pieces of awkward sizes, copied, shared and shared aligned, across many batches and
        // writeback stretches; whole aligned pages come first (straight to the disk), then
        // after an odd piece (staged), then after the stage has filled up again.
        for i in 0..3000usize {
            let len = if i < 4 || i % 50 < 3 {
                ALIGN * (1 + i % 3) + if i == 2 { 100 } else { 0 }
            } else {
                (i * 7919) % 9000
            };
            let piece: Vec<u8> = (0..len).map(|j| (i + j) as u8).collect();
            expected.extend_from_slice(&piece);
            if i < 4 || i % 4 == 1 {
                let mut aligned = Batch::aligned(piece.len(), i % 2 == 0);
                aligned.extend_from_slice(&piece);
                assert_eq!(aligned.as_ptr().align_offset(ALIGN), 0);
                w.write_shared(aligned.share()).unwrap();
            } else if i % 3 == 0 {
                w.write_shared(Batch::new(piece, i % 2 == 0)).unwrap();
            } else {
                w.write_all(&piece).unwrap();
            }
        }
        w.finish().unwrap();
        assert_eq!(std::fs::read(path).unwrap(), expected);
    }

    #[test]
    fn a_pool_hands_its_memory_back_empty_and_aligned() {
        let pool = Pool::new(true);
        let mut a = pool.batch(BATCH);
        a.extend_from_slice(b"decrypted");
        let first = a.as_ptr();
        let shared = a.share();
        // Still held: the next batch gets fresh memory.
        let other = pool.batch(BATCH);
        assert_ne!(other.as_ptr(), first);
        drop(shared);
        let again = pool.batch(BATCH);
        assert_eq!(again.as_ptr(), first);
        assert!(again.is_empty());
        assert_eq!(again.as_ptr().align_offset(ALIGN), 0);
        // Too small for what is asked: fresh memory, aligned too.
        drop(again);
        let bigger = pool.batch(4 * BATCH);
        assert_ne!(bigger.as_ptr(), first);
        assert_eq!(bigger.as_ptr().align_offset(ALIGN), 0);
    }

    #[test]
    fn a_write_error_on_the_thread_comes_out() {
        // /dev/full refuses every write with ENOSPC.
        let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
            return;
        };
        let mut w = WritebackFile::new(full).unwrap();
        let mut failed = false;
        for _ in 0..16 {
            if w.write_shared(Batch::new(vec![1u8; BATCH], false)).is_err() {
                failed = true;
                break;
            }
        }
        let finished = w.finish();
        assert!(failed || finished.is_err());
        assert!(finished.is_err());
    }

    #[test]
    fn shared_and_copied_pieces_hash_as_one_stream() {
        let data: Vec<u8> = (0..3 * BATCH + 17).map(|i| (i % 251) as u8).collect();
        let mut h = ParallelSha256::new();
        let (a, rest) = data.split_at(1000);
        let (b, c) = rest.split_at(2 * BATCH);
        h.update(a);
        h.update_shared(Batch::new(b.to_vec(), true));
        h.update(c);
        assert_eq!(h.finish().unwrap(), canonical::sha256_hex(&data));
    }
}
