//! Large content (evidence files of gigabytes) streamed through three threads: one reads
//! and encrypts or decrypts, one computes the SHA-256, one writes. Batches of about a MiB
//! are shared between them, never copied, and only a few are in flight, so memory does not
//! grow with the file.
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
use std::io::{self, Seek, Write};
use std::num::NonZeroU64;
use std::ops::Deref;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use ring::digest::{Context, SHA256};
use rustix::io::Errno;
use zeroize::{Zeroize, Zeroizing};

use crate::canonical;

/// Bytes per batch.
pub(crate) const BATCH: usize = 1024 * 1024;
/// Batches queued for each thread: bounds memory (a few MiB) whatever the file's size.
const IN_FLIGHT: usize = 4;
/// Written bytes after which writeback of them is started.
const KICK: u64 = 8 * 1024 * 1024;

/// Bytes passed between threads; with `wipe`, overwritten when the last holder lets go
/// (decrypted evidence must not linger in freed memory).
pub(crate) struct Batch {
    bytes: Vec<u8>,
    wipe: bool,
}

impl Batch {
    pub(crate) fn new(bytes: Vec<u8>, wipe: bool) -> Arc<Self> {
        Arc::new(Self { bytes, wipe })
    }
}

impl Deref for Batch {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        if self.wipe {
            self.bytes.zeroize();
        }
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
    /// Small writes gathered into a batch.
    buf: Vec<u8>,
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
    /// For direct writes: `stage[at..at + STAGE]` is aligned; `filled` bytes wait in it.
    /// Wiped when dropped: decrypted evidence may pass through.
    stage: Zeroizing<Vec<u8>>,
    at: usize,
    filled: usize,
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
        let stage = Zeroizing::new(if direct {
            vec![0u8; STAGE + ALIGN]
        } else {
            Vec::new()
        });
        let at = stage.as_ptr().align_offset(ALIGN).min(ALIGN);
        Self {
            file,
            direct,
            stage,
            at,
            filled: 0,
            written: 0,
            kicked: 0,
        }
    }

    fn write(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while self.direct && !bytes.is_empty() {
            let n = (STAGE - self.filled).min(bytes.len());
            let from = self.at + self.filled;
            self.stage[from..from + n].copy_from_slice(&bytes[..n]);
            self.filled += n;
            bytes = &bytes[n..];
            if self.filled == STAGE {
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
        let mut done = 0;
        while done < len {
            let from = self.at + done;
            match self.file.write(&self.stage[from..self.at + len]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A file system that takes the flag but not the write: through the page
                // cache from here on.
                Err(e) if self.direct && e.raw_os_error() == Some(Errno::INVAL.raw_os_error()) => {
                    self.leave_direct()?
                }
                Err(e) => return Err(e),
            }
        }
        self.stage
            .copy_within(self.at + len..self.at + self.filled, self.at);
        self.filled -= len;
        self.written += len as u64;
        self.kicked = self.written;
        Ok(())
    }

    fn leave_direct(&mut self) -> io::Result<()> {
        let flags = rustix::fs::fcntl_getfl(&self.file)?;
        rustix::fs::fcntl_setfl(&self.file, flags - rustix::fs::OFlags::DIRECT)?;
        self.direct = false;
        Ok(())
    }

    /// Writes what is staged and syncs.
    fn finish(mut self) -> io::Result<File> {
        if self.direct {
            let whole = self.filled / ALIGN * ALIGN;
            if whole > 0 {
                self.write_stage(whole)?;
            }
            // The tail is less than a block: through the page cache.
            if self.direct {
                self.leave_direct()?;
            }
            let tail = self.filled;
            self.write_stage(tail)?;
        }
        self.file.sync_all()?;
        Ok(self.file)
    }
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
        Ok(Self {
            buf: Vec::new(),
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
        let gathered = std::mem::take(&mut self.buf);
        self.send(Batch::new(gathered, false))
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

    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= BATCH {
            self.send_gathered()?;
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
        // Pieces of awkward sizes, copied and shared, across many batches and writeback
        // stretches.
        for i in 0..3000usize {
            let piece: Vec<u8> = (0..(i * 7919) % 9000).map(|j| (i + j) as u8).collect();
            expected.extend_from_slice(&piece);
            if i % 3 == 0 {
                w.write_shared(Batch::new(piece, i % 2 == 0)).unwrap();
            } else {
                w.write_all(&piece).unwrap();
            }
        }
        w.finish().unwrap();
        assert_eq!(std::fs::read(path).unwrap(), expected);
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
