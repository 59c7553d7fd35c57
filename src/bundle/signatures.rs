//! The signatures of a bundle's ledger entries, checked on a second thread while the reader
//! goes on with the next entries and the records: Ed25519 verification is most of the
//! ledger's cost. Every signature is still checked, in order, and [`SignatureCheck::finish`]
//! must report them all good before the bundle counts as verified; until then the bundle
//! is unverified anyway (an import writes into a transaction that commits only after
//! `read_bundle` returns `Ok`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ring::signature::{UnparsedPublicKey, ED25519};

use super::BundleError;

/// Entries waiting for the checker at most: bounds memory (a few hundred KiB) whatever the
/// ledger's length.
const QUEUE: usize = 1024;

/// One signature to check: the entry's line in `ledger.jsonl`, its number, the bytes signed
/// and the signature as the entry carries it.
struct Job {
    line: usize,
    seq: i64,
    signed: Vec<u8>,
    sig: String,
}

/// The first entry whose signature does not verify.
struct Failure {
    line: usize,
    seq: i64,
}

impl Failure {
    fn error(&self) -> BundleError {
        BundleError::Invalid {
            reason: format!(
                "ledger.jsonl line {}: the signature of entry {} does not verify",
                self.line, self.seq
            ),
        }
    }
}

/// Checks signatures by one device key, on a thread of its own when one can be started,
/// else as they come.
pub(super) struct SignatureCheck {
    key: Option<Vec<u8>>,
    worker: Option<Worker>,
    /// The first failure found when checking inline.
    failure: Option<Failure>,
}

struct Worker {
    queue: SyncSender<Job>,
    failed: Arc<AtomicBool>,
    handle: JoinHandle<Option<Failure>>,
}

/// The raw key, or `None` if it is not a base64 Ed25519 key (then no signature verifies).
fn decode_key(device_b64: &str) -> Option<Vec<u8>> {
    B64.decode(device_b64).ok().filter(|k| k.len() == 32)
}

fn verifies(key: Option<&[u8]>, job: &Job) -> bool {
    let (Some(key), Ok(sig)) = (key, B64.decode(&job.sig)) else {
        return false;
    };
    sig.len() == 64
        && UnparsedPublicKey::new(&ED25519, key)
            .verify(&job.signed, &sig)
            .is_ok()
}

impl SignatureCheck {
    /// Starts checking signatures by `device_b64` (standard padded base64, as entries carry
    /// it).
    pub(super) fn start(device_b64: &str) -> Self {
        let key = decode_key(device_b64);
        let (queue, jobs) = sync_channel::<Job>(QUEUE);
        let failed = Arc::new(AtomicBool::new(false));
        let worker_key = key.clone();
        let worker_failed = Arc::clone(&failed);
        let spawned = std::thread::Builder::new()
            .name("aigaq-ledger-signatures".into())
            .spawn(move || {
                for job in jobs {
                    if !verifies(worker_key.as_deref(), &job) {
                        worker_failed.store(true, Ordering::Relaxed);
                        return Some(Failure {
                            line: job.line,
                            seq: job.seq,
                        });
                    }
                }
                None
            });
        // Without a thread (the OS refused one), each signature is checked as it comes.
        let worker = spawned.ok().map(|handle| Worker {
            queue,
            failed,
            handle,
        });
        Self {
            key,
            worker,
            failure: None,
        }
    }

    /// Whether a signature checked so far has failed: the reader can stop early, and
    /// [`finish`](Self::finish) says which.
    pub(super) fn failed(&self) -> bool {
        self.failure.is_some()
            || self
                .worker
                .as_ref()
                .is_some_and(|w| w.failed.load(Ordering::Relaxed))
    }

    /// Queues the signature of the entry at `line` (numbered `seq`) over `signed`. An error
    /// means a signature already failed; [`finish`](Self::finish) gives the one to report.
    pub(super) fn check(
        &mut self,
        line: usize,
        seq: i64,
        signed: Vec<u8>,
        sig: &str,
    ) -> Result<(), BundleError> {
        let job = Job {
            line,
            seq,
            signed,
            sig: sig.to_owned(),
        };
        if self.failed() {
            return Err(Self::stopped());
        }
        match &self.worker {
            // A closed queue means the worker stopped at a bad signature.
            Some(w) => w.queue.send(job).map_err(|_| Self::stopped()),
            None => {
                if !verifies(self.key.as_deref(), &job) {
                    let failure = Failure {
                        line: job.line,
                        seq: job.seq,
                    };
                    let e = failure.error();
                    self.failure = Some(failure);
                    return Err(e);
                }
                Ok(())
            }
        }
    }

    fn stopped() -> BundleError {
        BundleError::Invalid {
            reason: "a ledger entry's signature does not verify".into(),
        }
    }

    /// Waits for every queued signature: `Ok` only if all of them verified; otherwise the
    /// first entry (in ledger order) whose signature does not.
    pub(super) fn finish(self) -> Result<(), BundleError> {
        let failure = match self.worker {
            None => self.failure,
            Some(w) => {
                drop(w.queue);
                match w.handle.join() {
                    Ok(failure) => failure,
                    // Not expected; but a bundle is never taken as verified without it.
                    Err(_) => return Err(BundleError::Interrupted),
                }
            }
        };
        match failure {
            Some(f) => Err(f.error()),
            None => Ok(()),
        }
    }
}
