//! The signatures of a bundle's ledger entries, checked on threads of their own while the
//! reader goes on with the next entries and the records: Ed25519 verification is most of the
//! ledger's cost. Every signature is still checked, in order, and [`SignatureCheck::finish`]
//! must report them all good before the bundle counts as verified; until then the bundle
//! is unverified anyway (an import writes into a transaction that commits only after
//! `read_bundle` returns `Ok`).
//!
//! Entries wait for the checkers up to a budget in bytes rather than in number, so that a
//! ledger of ordinary length is read through at once and the reader goes on to the records
//! (their checks and storing) while the signatures are checked beside it; a long one holds
//! the reader back once the budget is spent, so memory stays bounded. Two checkers share
//! the work, so that both cores check signatures once the records are stored.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use super::BundleError;
use crate::custody::verifier::DeviceVerifier;

/// Bytes of entries waiting for the checkers at most (about 18,000 entries of the usual
/// length).
const BUDGET: usize = 8 * 1024 * 1024;
/// Threads checking signatures at most.
const CHECKERS: usize = 2;
/// How much less of the CPU the checkers ask for than the reader.
#[cfg(any(target_os = "linux", target_os = "android"))]
const CHECKER_NICE: i32 = 10;
/// Entries handed over together, so that few messages cross threads.
const CHUNK: usize = 64;
/// What an entry waiting costs beyond its bytes.
const PER_JOB: usize = std::mem::size_of::<Job>();

/// One signature to check: the entry's line in `ledger.jsonl`, its number, the bytes signed
/// and the signature as the entry carries it.
struct Job {
    line: usize,
    seq: i64,
    signed: Vec<u8>,
    sig: String,
}

impl Job {
    fn cost(&self) -> usize {
        self.signed.capacity() + self.sig.capacity() + PER_JOB
    }
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
    key: Option<Arc<DeviceVerifier>>,
    worker: Option<Worker>,
    /// Entries not yet handed to the worker.
    chunk: Vec<Job>,
    /// The first failure found when checking inline.
    failure: Option<Failure>,
}

struct Worker {
    queue: Sender<Vec<Job>>,
    budget: Arc<Budget>,
    failed: Arc<AtomicBool>,
    handles: Vec<JoinHandle<Option<Failure>>>,
}

/// Bytes handed to the checkers and not yet checked; the reader waits while they are over
/// [`BUDGET`], until a checker has checked some or has stopped.
#[derive(Default)]
struct Budget {
    state: Mutex<InFlight>,
    changed: Condvar,
}

#[derive(Default)]
struct InFlight {
    bytes: usize,
    stopped: bool,
}

impl Budget {
    /// Waits for room for `bytes` (always granted when nothing is in flight); `false` if
    /// a checker has stopped.
    fn take(&self, bytes: usize) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        while !state.stopped && state.bytes > 0 && state.bytes + bytes > BUDGET {
            state = match self.changed.wait(state) {
                Ok(s) => s,
                Err(_) => return false,
            };
        }
        state.bytes += bytes;
        !state.stopped
    }

    fn give_back(&self, bytes: usize) {
        if let Ok(mut state) = self.state.lock() {
            state.bytes = state.bytes.saturating_sub(bytes);
        }
        self.changed.notify_all();
    }

    fn stop(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.stopped = true;
        }
        self.changed.notify_all();
    }
}

/// Stops the budget when dropped.
struct StopOnExit<'a>(&'a Budget);

impl Drop for StopOnExit<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

fn verifies(key: Option<&DeviceVerifier>, job: &Job) -> bool {
    key.is_some_and(|key| key.verifies_b64(&job.signed, &job.sig))
}

/// Takes chunks in order and checks each whole (so the first bad entry in it is found)
/// until one holds a bad signature, another checker found one, or the queue closes. Chunks
/// are taken in the ledger's order, so every chunk before the first bad one is taken, and
/// checked whole, by one checker or the other.
fn check_chunks(
    key: Option<&DeviceVerifier>,
    chunks: &Mutex<Receiver<Vec<Job>>>,
    budget: &Budget,
    failed: &AtomicBool,
) -> Option<Failure> {
    while !failed.load(Ordering::Relaxed) {
        let next = match chunks.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return None,
        };
        let Ok(chunk) = next else {
            return None;
        };
        let cost = chunk.iter().map(Job::cost).sum();
        let bad = chunk.iter().find(|job| !verifies(key, job));
        budget.give_back(cost);
        if let Some(job) = bad {
            failed.store(true, Ordering::Relaxed);
            return Some(Failure {
                line: job.line,
                seq: job.seq,
            });
        }
    }
    None
}

impl SignatureCheck {
    /// Starts checking signatures by `device_b64` (standard padded base64, as entries carry
    /// it).
    pub(super) fn start(device_b64: &str) -> Self {
        // A key that is not a base64 Ed25519 key: no signature verifies.
        let key = DeviceVerifier::from_b64(device_b64).map(Arc::new);
        let (queue, chunks) = channel::<Vec<Job>>();
        let chunks = Arc::new(Mutex::new(chunks));
        let budget = Arc::new(Budget::default());
        let failed = Arc::new(AtomicBool::new(false));
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(CHECKERS));
        let mut handles = Vec::new();
        for _ in 0..threads {
            let (key, chunks, budget, failed) = (
                key.clone(),
                Arc::clone(&chunks),
                Arc::clone(&budget),
                Arc::clone(&failed),
            );
            let spawned = std::thread::Builder::new()
                .name("aigaq-ledger-signatures".into())
                .spawn(move || {
                    // The thread storing the records is the one the import waits for: the
                    // checkers take what CPU it leaves, and both cores once it is done. On
                    // Linux this sets the calling thread's nice value only (elsewhere it
                    // would lower the whole process, so it is not asked there). A refusal
                    // changes nothing but the speed.
                    #[cfg(any(target_os = "linux", target_os = "android"))]
                    let _ = rustix::process::setpriority_process(None, CHECKER_NICE);
                    // The reader may be waiting for room that a stopped checker never
                    // frees: however this checker stops (a panic included), it says so.
                    let _stopping = StopOnExit(&budget);
                    check_chunks(key.as_deref(), &chunks, &budget, &failed)
                });
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(_) => break,
            }
        }
        // Without a thread (the OS refused one), each signature is checked as it comes.
        let worker = (!handles.is_empty()).then(|| Worker {
            queue,
            budget,
            failed,
            handles,
        });
        Self {
            key,
            worker,
            chunk: Vec::with_capacity(CHUNK),
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
        if self.worker.is_none() {
            if !verifies(self.key.as_deref(), &job) {
                let failure = Failure {
                    line: job.line,
                    seq: job.seq,
                };
                let e = failure.error();
                self.failure = Some(failure);
                return Err(e);
            }
            return Ok(());
        }
        self.chunk.push(job);
        if self.chunk.len() >= CHUNK {
            self.hand_over()?;
        }
        Ok(())
    }

    /// Hands the entries gathered so far to the worker, once there is room for them.
    fn hand_over(&mut self) -> Result<(), BundleError> {
        let Some(w) = &self.worker else {
            return Ok(());
        };
        if self.chunk.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK));
        let cost = chunk.iter().map(Job::cost).sum();
        // A stopped worker or a closed queue means a signature failed.
        if !w.budget.take(cost) || w.queue.send(chunk).is_err() {
            return Err(Self::stopped());
        }
        Ok(())
    }

    fn stopped() -> BundleError {
        BundleError::Invalid {
            reason: "a ledger entry's signature does not verify".into(),
        }
    }

    /// Waits for every queued signature: `Ok` only if all of them verified; otherwise the
    /// first entry (in ledger order) whose signature does not.
    pub(super) fn finish(mut self) -> Result<(), BundleError> {
        // What is still gathered goes too; if the worker already stopped, its failure is
        // the one to report.
        let _ = self.hand_over();
        let failure = match self.worker {
            None => self.failure,
            Some(w) => {
                drop(w.queue);
                let mut first: Option<Failure> = None;
                for handle in w.handles {
                    match handle.join() {
                        Ok(Some(f)) if first.as_ref().is_none_or(|g| f.line < g.line) => {
                            first = Some(f);
                        }
                        Ok(_) => {}
                        // Not expected; but a bundle is never taken as verified without it.
                        Err(_) => return Err(BundleError::Interrupted),
                    }
                }
                first
            }
        };
        match failure {
            Some(f) => Err(f.error()),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD as B64;
    use base64::Engine;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    /// More bytes than the budget, so the reader waits for the checker on the way.
    fn ledger(pair: &Ed25519KeyPair, bad_at: Option<usize>) -> Vec<(Vec<u8>, String)> {
        let entries = 2 * BUDGET / (64 * 1024) + 3;
        (0..entries)
            .map(|i| {
                let signed = vec![i as u8; 64 * 1024];
                let mut sig = pair.sign(&signed).as_ref().to_vec();
                if bad_at == Some(i) {
                    sig[40] ^= 1;
                }
                (signed, B64.encode(sig))
            })
            .collect()
    }

    fn check_all(key_b64: &str, entries: Vec<(Vec<u8>, String)>) -> Result<(), BundleError> {
        let mut check = SignatureCheck::start(key_b64);
        for (i, (signed, sig)) in entries.into_iter().enumerate() {
            if check.check(i + 1, i as i64 + 1, signed, &sig).is_err() {
                break;
            }
        }
        check.finish()
    }

    #[test]
    fn a_ledger_longer_than_the_budget_is_checked_whole_and_the_first_bad_entry_named() {
        let pair = Ed25519KeyPair::from_seed_unchecked(&[3; 32]).unwrap();
        let key = B64.encode(pair.public_key().as_ref());
        assert!(check_all(&key, ledger(&pair, None)).is_ok());
        let bad_at = 2 * BUDGET / (64 * 1024) - 5;
        let err = check_all(&key, ledger(&pair, Some(bad_at)))
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("line {}:", bad_at + 1)), "{err}");
        // The last entries, still gathered when the ledger ends, are checked too.
        let last = 2 * BUDGET / (64 * 1024) + 2;
        let err = check_all(&key, ledger(&pair, Some(last)))
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("line {}:", last + 1)), "{err}");
    }
}
