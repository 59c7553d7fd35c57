//! Large content (evidence files of gigabytes) streamed through three threads: one reads
//! and encrypts or decrypts, one computes the SHA-256, one writes. Batches of about a MiB
//! are shared between them, never copied, and only a few are in flight, so memory does not
//! grow with the file.
//!
//! Every stored or extracted file is synced before the database says it is there. Left to
//! itself, the kernel keeps a gigabyte of written pages in memory and writes them only when
//! the final `fsync` asks, so that sync alone takes as long as the copy. The writing thread
//! asks for writeback of each stretch as soon as it is written (`posix_fadvise(DONTNEED)`
//! starts it without waiting, and drops the pages once they are clean), so the disk works
//! while the processor encrypts and hashes, and the final sync has little left to do.

use std::fs::File;
use std::io::{self, Write};
use std::num::NonZeroU64;
use std::ops::Deref;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use ring::digest::{Context, SHA256};
use zeroize::Zeroize;

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
        tx: SyncSender<Arc<Batch>>,
        worker: JoinHandle<String>,
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
            Ok(worker) => Self::Thread {
                tx,
                worker,
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
        if let Self::Thread { tx, failed, .. } = self {
            if tx.send(batch).is_err() {
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
                tx, worker, failed, ..
            } => {
                drop(tx);
                let hex = worker.join().ok();
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

/// A file written on a thread of its own, its pages sent to disk as it grows (see the
/// module documentation).
pub(crate) struct WritebackFile {
    /// Small writes gathered into a batch.
    buf: Vec<u8>,
    /// `None` once the thread has stopped.
    tx: Option<SyncSender<Arc<Batch>>>,
    worker: Option<JoinHandle<io::Result<File>>>,
}

/// The file and how much of it has been sent to disk.
struct Disk {
    file: File,
    written: u64,
    kicked: u64,
}

impl Disk {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
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
}

fn stopped() -> io::Error {
    io::Error::other("the thread writing the file stopped")
}

impl WritebackFile {
    /// Takes over `file`, positioned where writing starts. Fails only if no thread can be
    /// started.
    pub(crate) fn new(file: File) -> io::Result<Self> {
        let (tx, rx) = sync_channel::<Arc<Batch>>(IN_FLIGHT);
        let mut disk = Disk {
            file,
            written: 0,
            kicked: 0,
        };
        let worker = std::thread::Builder::new()
            .name("aigaq-writeback".into())
            .spawn(move || {
                for batch in rx {
                    disk.write(&batch)?;
                }
                disk.file.sync_all()?;
                Ok(disk.file)
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
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let mut w = WritebackFile::new(File::create(&path).unwrap()).unwrap();
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
        assert_eq!(std::fs::read(&path).unwrap(), expected);
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
