//! The ledger: one signed entry per change, each naming the hash of the one before.
//!
//! `sig` is the device's Ed25519 signature (standard padded base64) over the RFC 8785 bytes
//! of the entry without `sig`; an entry's hash is the hex SHA-256 of the RFC 8785 bytes of
//! the whole entry; `prev` is the previous entry's hash (`null` for the first).

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::device::DeviceKeys;
use super::verifier::DeviceVerifier;
use super::CustodyError;
use crate::canonical;
use crate::store::StoreError;

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Position, from 1, without gaps.
    pub seq: i64,
    /// Hash of the entry before, `None` for the first.
    pub prev: Option<String>,
    /// RFC 3339 time of the change.
    pub at: String,
    /// `create`, `revise`, `attach`, `detach`, `purge`, `export`, `import`, `acknowledge`.
    pub kind: String,
    /// The testimony (or other record) changed.
    pub record: String,
    /// The revision concerned, if any.
    pub revision: Option<String>,
    /// The signing device's public key, standard padded base64.
    pub device: String,
    /// Signature over the entry without this field.
    pub sig: String,
}

impl Entry {
    /// Appends the entry's RFC 8785 bytes to `out`, `sig` included or not. Written field by
    /// field in the canonical key order (all ASCII, so UTF-16 order is byte order): the same
    /// bytes as `canonical::to_bytes` gives (a test holds them to it), without its copies,
    /// as bundles carry one entry per change.
    fn write(&self, with_sig: bool, out: &mut Vec<u8>) {
        fn opt(v: Option<&str>, out: &mut Vec<u8>) {
            match v {
                Some(s) => canonical::write_str(s, out),
                None => out.extend_from_slice(b"null"),
            }
        }
        out.extend_from_slice(b"{\"at\":");
        canonical::write_str(&self.at, out);
        out.extend_from_slice(b",\"device\":");
        canonical::write_str(&self.device, out);
        out.extend_from_slice(b",\"kind\":");
        canonical::write_str(&self.kind, out);
        out.extend_from_slice(b",\"prev\":");
        opt(self.prev.as_deref(), out);
        out.extend_from_slice(b",\"record\":");
        canonical::write_str(&self.record, out);
        out.extend_from_slice(b",\"revision\":");
        opt(self.revision.as_deref(), out);
        out.extend_from_slice(b",\"seq\":");
        canonical::write_value(&serde_json::Value::from(self.seq), out);
        if with_sig {
            out.extend_from_slice(b",\"sig\":");
            canonical::write_str(&self.sig, out);
        }
        out.push(b'}');
    }

    /// Appends the canonical bytes of the whole entry, `sig` included, to `out`.
    pub fn write_canonical(&self, out: &mut Vec<u8>) {
        self.write(true, out);
    }

    /// Appends the canonical bytes that are signed (the entry without `sig`) to `out`.
    pub fn write_signed_bytes(&self, out: &mut Vec<u8>) {
        self.write(false, out);
    }

    /// The canonical bytes of the whole entry.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(320);
        self.write_canonical(&mut out);
        out
    }

    /// The canonical bytes that are signed.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        self.write_signed_bytes(&mut out);
        out
    }

    /// The entry's hash: hex SHA-256 of its canonical bytes, `sig` included.
    pub fn hash(&self) -> String {
        canonical::sha256_hex(&self.canonical_bytes())
    }
}

/// Appends a signed entry. Called inside the transaction of the change it records, so the
/// change and its entry are saved together or not at all.
pub(crate) fn append(
    conn: &Connection,
    keys: &DeviceKeys,
    kind: &str,
    record: &str,
    revision: Option<&str>,
    at: &str,
) -> Result<Entry, StoreError> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, Some(hash)),
        None => (1, None),
    };
    let mut entry = Entry {
        seq,
        prev,
        at: at.to_owned(),
        kind: kind.to_owned(),
        record: record.to_owned(),
        revision: revision.map(str::to_owned),
        device: keys.public_key_b64(),
        sig: String::new(),
    };
    entry.sig = keys.sign_b64(&entry.signed_bytes());
    let hash = entry.hash();
    conn.prepare_cached(
        "INSERT INTO ledger (seq, prev, at, kind, record, revision, device, sig, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        entry.seq,
        entry.prev,
        entry.at,
        entry.kind,
        entry.record,
        entry.revision,
        entry.device,
        entry.sig,
        hash
    ])?;
    Ok(entry)
}

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        prev: r.get(1)?,
        at: r.get(2)?,
        kind: r.get(3)?,
        record: r.get(4)?,
        revision: r.get(5)?,
        device: r.get(6)?,
        sig: r.get(7)?,
    })
}

const SELECT_ALL: &str =
    "SELECT seq, prev, at, kind, record, revision, device, sig FROM ledger ORDER BY seq";

/// Every entry, in order.
pub(crate) fn entries(conn: &Connection) -> Result<Vec<Entry>, StoreError> {
    let mut st = conn.prepare_cached(SELECT_ALL)?;
    let rows = st.query_map([], entry_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Calls `f` with every entry in order, one at a time, so a long ledger is never held whole.
pub(crate) fn for_each(
    conn: &Connection,
    mut f: impl FnMut(&Entry) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut st = conn.prepare_cached(SELECT_ALL)?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        f(&entry_from_row(row)?)?;
    }
    Ok(())
}

/// What `verify` checked.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// Ledger entries checked.
    pub entries: usize,
    /// Stored revisions checked against the ledger.
    pub revisions: usize,
    /// Testimonies checked.
    pub testimonies: usize,
}

fn bad(seq: i64, reason: impl Into<String>) -> StoreError {
    StoreError::Custody(CustodyError::BadEntry {
        seq,
        reason: reason.into(),
    })
}

fn bad_record(record: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Custody(CustodyError::BadRecord {
        record: record.to_owned(),
        reason: reason.into(),
    })
}

/// Checks the chain (order, links, signatures by this device) and then every stored revision
/// and current-revision pointer against it. Stops at the first problem and names it.
pub(crate) fn verify(conn: &Connection, keys: &DeviceKeys) -> Result<VerifyReport, StoreError> {
    let device = keys.public_key_b64();
    // Every entry is this device's: its key is decoded once (and checked with the faster
    // verifier, which applies ring's rule).
    let verifier = DeviceVerifier::from_b64(&device).ok_or(CustodyError::DeviceKeys)?;
    let entries = entries(conn)?;
    let mut prev: Option<String> = None;
    // record -> (revision -> seq), and the last create/revise/purge per record.
    let mut vouched: HashMap<String, HashMap<String, i64>> = HashMap::new();
    let mut last: HashMap<String, (String, Option<String>)> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let expected = i as i64 + 1;
        if e.seq != expected {
            return Err(bad(
                expected,
                format!("missing: the next entry found is number {}", e.seq),
            ));
        }
        if e.prev != prev {
            return Err(bad(
                e.seq,
                "does not follow the entry before it (its `prev` is not that entry's hash)",
            ));
        }
        if e.device != device {
            return Err(bad(e.seq, "was signed by another device"));
        }
        if !verifier.verifies_b64(&e.signed_bytes(), &e.sig) {
            return Err(bad(e.seq, "its signature does not verify"));
        }
        match e.kind.as_str() {
            "create" | "revise" | "attach" | "detach" => {
                let Some(rev) = &e.revision else {
                    return Err(bad(e.seq, "names no revision"));
                };
                vouched
                    .entry(e.record.clone())
                    .or_default()
                    .insert(rev.clone(), e.seq);
                last.insert(e.record.clone(), (e.kind.clone(), e.revision.clone()));
            }
            "purge" => {
                last.insert(e.record.clone(), (e.kind.clone(), e.revision.clone()));
            }
            // An export names the bytes that left the device (perhaps without the
            // witness's name); an import names a bundle or acknowledgement received; an
            // acknowledgement names one sent. None changes a testimony's current revision.
            "export" | "import" | "acknowledge" => {}
            other => return Err(bad(e.seq, format!("unknown kind {other:?}"))),
        }
        prev = Some(e.hash());
    }
    let mut report = VerifyReport {
        entries: entries.len(),
        ..VerifyReport::default()
    };
    let mut st = conn.prepare(
        "SELECT t.id, r.hash, r.body FROM revisions r JOIN testimonies t ON t.n = r.testimony
         ORDER BY r.testimony, r.number",
    )?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        let (id, hash, body): (String, String, Option<Vec<u8>>) =
            (row.get(0)?, row.get(1)?, row.get(2)?);
        if !vouched.get(&id).is_some_and(|r| r.contains_key(&hash)) {
            return Err(bad_record(
                &id,
                format!("revision {hash} is not in the ledger"),
            ));
        }
        if let Some(body) = body {
            if canonical::sha256_hex(&body) != hash {
                return Err(bad_record(
                    &id,
                    format!("the content of revision {hash} does not match its hash"),
                ));
            }
        }
        report.revisions += 1;
    }
    let mut st = conn.prepare("SELECT id, current_revision, purged_at FROM testimonies")?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        let (id, current, purged): (String, Option<String>, Option<String>) =
            (row.get(0)?, row.get(1)?, row.get(2)?);
        match last.get(&id) {
            None => return Err(bad_record(&id, "has no entry in the ledger")),
            Some((kind, rev)) => {
                if purged.is_some() != (kind == "purge") {
                    return Err(bad_record(
                        &id,
                        "its deletion does not agree with the ledger",
                    ));
                }
                if kind != "purge" && rev != &current {
                    return Err(bad_record(
                        &id,
                        "its current revision is not the last one the ledger records",
                    ));
                }
            }
        }
        report.testimonies += 1;
    }
    Ok(report)
}
