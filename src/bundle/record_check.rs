//! A record's own checks, those that need nothing else from the bundle (JSON, canonical
//! form, fields, the testimony's schema, the attachments it lists), run on a second thread
//! while the reader goes on reading and storing: they are most of a record's cost. The
//! reader takes the results back in the bundle's order and does the checks that need the
//! rest of the bundle (the ledger vouching for the record, attachment sizes agreeing), so
//! every check happens, and the first failure in the bundle is the one reported.

use std::collections::VecDeque;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::JoinHandle;

use serde::Deserialize;
use serde_json::Value;

use super::inspect::is_hex64;
use super::BundleError;
use crate::canonical;
use crate::store::attachments::AttachmentRef;

/// Record bytes in flight at most (records not yet taken back by the reader): bounds memory
/// whatever the bundle's size. One record is always let through, however large.
const IN_FLIGHT_BYTES: usize = 8 * 1024 * 1024;

/// One record, read and named by its path.
pub(super) struct Job {
    pub(super) id: String,
    pub(super) rev: String,
    pub(super) bytes: Vec<u8>,
}

/// A record with its own checks done.
pub(super) struct Checked {
    pub(super) job: Job,
    /// Not JSON: the first check, reported before any other.
    pub(super) outcome: Result<Parsed, BundleError>,
}

/// What the reader needs from a record that parsed.
pub(super) struct Parsed {
    /// The stored revision it was made from, if it says so.
    pub(super) exported_from: Option<String>,
    /// The first failure among the checks made after the ledger's: canonical form, fields,
    /// schema, the list of attachments; or the attachments listed, with the index and error
    /// of the first that is not well formed (reported in its turn among the attachments).
    pub(super) rest: Result<Listed, BundleError>,
}

/// The attachments a record lists.
pub(super) struct Listed {
    pub(super) attachments: Vec<AttachmentRef>,
    pub(super) malformed: Option<(usize, BundleError)>,
}

/// The checks of one record that need nothing else; `canon` is a buffer kept between calls.
pub(super) fn check(job: &Job, canon: &mut Vec<u8>) -> Result<Parsed, BundleError> {
    let (id, rev, bytes) = (job.id.as_str(), job.rev.as_str(), &job.bytes[..]);
    let bad = |why: String| BundleError::Invalid {
        reason: format!("record {id}/{rev}: {why}"),
    };
    let mut doc: Value =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    let exported_from = doc
        .get("exported_from")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let rest = (|| {
        canon.clear();
        canonical::write_value(&doc, canon);
        if canon != bytes {
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
        // Taken out rather than copied: the bytes are what is kept, not the parsed document.
        let content = doc.get_mut("content").map_or(Value::Null, Value::take);
        crate::model::from_value(content).map_err(|e| bad(e.to_string()))?;
        let mut listed = Listed {
            attachments: Vec::new(),
            malformed: None,
        };
        if let Some(list) = doc.get("attachments") {
            listed.attachments = Vec::<AttachmentRef>::deserialize(list)
                .map_err(|e| bad(format!("attachments: {e}")))?;
            listed.malformed = listed.attachments.iter().enumerate().find_map(|(i, a)| {
                let ok = is_hex64(&a.sha256)
                    && a.derived_from.as_deref().is_none_or(is_hex64)
                    && !a.name.is_empty()
                    && a.name.chars().count() <= 255
                    && !a.name.chars().any(char::is_control);
                (!ok).then(|| {
                    (
                        i,
                        bad(format!("attachment {:?} is not well formed", a.sha256)),
                    )
                })
            });
        }
        Ok(listed)
    })();
    Ok(Parsed {
        exported_from,
        rest,
    })
}

/// Records on their way through the checks, in the bundle's order.
pub(super) struct RecordChecks {
    worker: Option<Worker>,
    /// Checked records not taken back yet (when checking inline), or sent and not yet
    /// returned (with a worker): their sizes.
    pending: VecDeque<usize>,
    in_flight: usize,
    /// Checked inline, waiting to be taken back.
    ready: VecDeque<Checked>,
    canon: Vec<u8>,
}

struct Worker {
    jobs: Sender<Job>,
    done: Receiver<Checked>,
    handle: JoinHandle<()>,
}

impl RecordChecks {
    /// Starts a thread for the checks; without one (the OS refused it), records are checked
    /// as they come.
    pub(super) fn start() -> Self {
        let (jobs, todo) = channel::<Job>();
        let (finished, done) = channel::<Checked>();
        let spawned = std::thread::Builder::new()
            .name("aigaq-record-checks".into())
            .spawn(move || {
                let mut canon = Vec::new();
                for job in todo {
                    let outcome = check(&job, &mut canon);
                    // The reader stopped: nothing more to do.
                    if finished.send(Checked { job, outcome }).is_err() {
                        return;
                    }
                }
            });
        Self {
            worker: spawned.ok().map(|handle| Worker { jobs, done, handle }),
            pending: VecDeque::new(),
            in_flight: 0,
            ready: VecDeque::new(),
            canon: Vec::new(),
        }
    }

    /// Hands a record over for its checks.
    pub(super) fn submit(&mut self, job: Job) -> Result<(), BundleError> {
        let size = job.bytes.len();
        match &self.worker {
            Some(w) => w.jobs.send(job).map_err(|_| Self::lost())?,
            None => {
                let outcome = check(&job, &mut self.canon);
                self.ready.push_back(Checked { job, outcome });
            }
        }
        self.pending.push_back(size);
        self.in_flight += size;
        Ok(())
    }

    /// Whether the reader should take a record back before submitting more.
    pub(super) fn full(&self) -> bool {
        self.in_flight > IN_FLIGHT_BYTES
    }

    /// The next record in order: waits for it if `wait`, else only if it is ready.
    pub(super) fn next(&mut self, wait: bool) -> Result<Option<Checked>, BundleError> {
        if self.pending.is_empty() {
            return Ok(None);
        }
        let checked = match &self.worker {
            None => self.ready.pop_front(),
            Some(w) if wait => Some(w.done.recv().map_err(|_| Self::lost())?),
            Some(w) => w.done.try_recv().ok(),
        };
        if checked.is_some() {
            let size = self.pending.pop_front().unwrap_or(0);
            self.in_flight -= size;
        }
        Ok(checked)
    }

    fn lost() -> BundleError {
        BundleError::Interrupted
    }

    /// Stops the thread (after the records it holds).
    pub(super) fn stop(self) {
        if let Some(w) = self.worker {
            drop(w.jobs);
            drop(w.done);
            let _ = w.handle.join();
        }
    }
}
