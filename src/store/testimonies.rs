//! Testimonies and their immutable revisions. Every user action is one transaction, so a
//! failure leaves the store as it was.

use std::fmt;

use rusqlite::{named_params, params, OptionalExtension, Transaction};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use super::attachments::{AttachmentInfo, AttachmentRef};
use super::{Store, StoreError};
use crate::canonical;
use crate::custody::ledger;
use crate::model::Testimony;

/// A testimony's stable id (UUIDv7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct TestimonyId(String);

impl TestimonyId {
    pub(crate) fn from_db(s: String) -> Self {
        Self(s)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TestimonyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A revision's id: SHA-256 (hex) of its RFC 8785 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct RevisionHash(String);

impl fmt::Display for RevisionHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The format tag of a revision document.
pub const REVISION_FORMAT: &str = "aigaq/revision/1";

/// The document whose canonical bytes are stored and hashed. `attachments` is left out when
/// empty, so revisions without attachments hash as they always did.
#[derive(Serialize)]
struct RevisionDoc<'a> {
    format: &'static str,
    testimony: &'a str,
    number: u32,
    parent: Option<&'a str>,
    saved_at: &'a str,
    content: &'a Testimony,
    #[serde(skip_serializing_if = "<[AttachmentRef]>::is_empty")]
    attachments: &'a [AttachmentRef],
}

#[derive(serde::Deserialize)]
pub(crate) struct StoredRevision {
    pub(crate) content: Testimony,
    #[serde(default)]
    pub(crate) attachments: Vec<AttachmentRef>,
}

/// One line of `list`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Stable id.
    pub id: TestimonyId,
    /// `draft` or `complete`.
    pub status: Option<String>,
    /// `YYYY-MM-DD`.
    pub interview_date: Option<String>,
    /// Where the interview was held.
    pub place: Option<String>,
    /// The witness's pseudonym, never the name.
    pub witness: Option<String>,
    /// The start of the narrative.
    pub excerpt: String,
    /// Number of revisions.
    pub revisions: u32,
    /// First saved.
    pub created_at: String,
    /// Last saved.
    pub updated_at: String,
    /// The organisations that acknowledged holding the current revision.
    pub delivered_to: Vec<String>,
}

/// A testimony with its current revision.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// Stable id.
    pub id: TestimonyId,
    /// Current revision.
    pub revision: RevisionHash,
    /// Its number, from 1.
    pub number: u32,
    /// First saved.
    pub created_at: String,
    /// Last saved.
    pub updated_at: String,
    /// The organisations that acknowledged holding the current revision.
    pub delivered_to: Vec<String>,
    /// Its attachments, with the metadata in them that can endanger people.
    pub attachments: Vec<AttachmentInfo>,
    /// The content.
    pub testimony: Testimony,
}

/// One entry of `history`.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionInfo {
    /// From 1.
    pub number: u32,
    /// Its id.
    pub revision: RevisionHash,
    /// The revision it replaced.
    pub parent: Option<RevisionHash>,
    /// When.
    pub saved_at: String,
    /// Its content was deleted; the hash remains.
    pub purged: bool,
}

/// What `edit` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOutcome {
    /// A new revision was saved.
    Saved(RevisionHash),
    /// The content equals the current revision; nothing was saved.
    Unchanged(RevisionHash),
}

const EXCERPT_CHARS: usize = 120;

/// The current time, RFC 3339 in UTC, as every record stores it.
pub fn now() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

fn excerpt(narrative: &str) -> String {
    let mut out = String::with_capacity(EXCERPT_CHARS + 4);
    let mut chars = 0;
    for word in narrative.split_whitespace() {
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars == EXCERPT_CHARS {
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

impl Store {
    /// Adds testimonies in one transaction: all are saved or none.
    pub fn add(&mut self, items: &[Testimony]) -> Result<Vec<TestimonyId>, StoreError> {
        for t in items {
            crate::model::validate(t).map_err(|issues| crate::model::InputError::Invalid {
                where_: String::new(),
                issues,
            })?;
        }
        let tx = self.conn.transaction()?;
        let mut ids = Vec::with_capacity(items.len());
        let at = now();
        for t in items {
            let id = Uuid::now_v7().to_string();
            tx.prepare_cached(
                "INSERT INTO testimonies (id, created_at, updated_at) VALUES (?1, ?2, ?2)",
            )?
            .execute(params![id, at])?;
            let n = tx.last_insert_rowid();
            let hash = save_revision(&tx, n, &id, 1, None, &at, t, &[])?;
            ledger::append(&tx, &self.keys, "create", &id, Some(&hash.0), &at)?;
            ids.push(TestimonyId(id));
        }
        tx.commit()?;
        self.changed.set(true);
        Ok(ids)
    }

    /// Saves a new revision of a testimony, unless nothing changed.
    pub fn edit(&mut self, id: &str, t: &Testimony) -> Result<EditOutcome, StoreError> {
        crate::model::validate(t).map_err(|issues| crate::model::InputError::Invalid {
            where_: String::new(),
            issues,
        })?;
        let tx = self.conn.transaction()?;
        let (n, full_id) = resolve(&tx, id)?;
        let (current, number, body) = current_revision(&tx, n, &full_id)?;
        let stored: StoredRevision = serde_json::from_slice(&body)?;
        if &stored.content == t {
            return Ok(EditOutcome::Unchanged(RevisionHash(current)));
        }
        let at = now();
        let hash = save_revision(
            &tx,
            n,
            &full_id,
            number + 1,
            Some(&current),
            &at,
            t,
            &stored.attachments,
        )?;
        ledger::append(&tx, &self.keys, "revise", &full_id, Some(&hash.0), &at)?;
        tx.commit()?;
        self.changed.set(true);
        Ok(EditOutcome::Saved(hash))
    }

    /// Every testimony that still has content, newest first.
    pub fn list(&self) -> Result<Vec<Summary>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, status, interview_date, place, witness_label, excerpt, revisions,
                    created_at, updated_at
             FROM testimonies WHERE purged_at IS NULL ORDER BY n DESC",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Summary {
                id: TestimonyId(r.get(0)?),
                status: r.get(1)?,
                interview_date: r.get(2)?,
                place: r.get(3)?,
                witness: r.get(4)?,
                excerpt: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                revisions: r.get(6)?,
                created_at: r.get(7)?,
                updated_at: r.get(8)?,
                delivered_to: Vec::new(),
            })
        })?;
        let mut list: Vec<Summary> = rows.collect::<Result<_, _>>()?;
        let mut delivered = self.delivered()?;
        for s in &mut list {
            if let Some(names) = delivered.remove(s.id.as_str()) {
                s.delivered_to = names;
            }
        }
        Ok(list)
    }

    /// Number of testimonies with content.
    pub fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM testimonies WHERE purged_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// A testimony's current revision. The stored bytes are checked against their hash.
    pub fn get(&self, id: &str) -> Result<Record, StoreError> {
        let (n, full_id) = resolve(&self.conn, id)?;
        let (hash, number, body) = current_revision(&self.conn, n, &full_id)?;
        let (created_at, updated_at) = self.conn.query_row(
            "SELECT created_at, updated_at FROM testimonies WHERE n = ?1",
            [n],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let stored: StoredRevision = serde_json::from_slice(&body)?;
        Ok(Record {
            attachments: self.describe(&stored.attachments)?,
            delivered_to: self.delivered_to(&full_id)?,
            id: TestimonyId(full_id),
            revision: RevisionHash(hash),
            number,
            created_at,
            updated_at,
            testimony: stored.content,
        })
    }

    /// Every revision of a testimony, oldest first. Works after a purge (hashes only).
    pub fn history(&self, id: &str) -> Result<Vec<RevisionInfo>, StoreError> {
        let (n, _) = resolve(&self.conn, id)?;
        let mut st = self.conn.prepare_cached(
            "SELECT number, hash, parent, saved_at, body IS NULL
             FROM revisions WHERE testimony = ?1 ORDER BY number",
        )?;
        let rows = st.query_map([n], |r| {
            Ok(RevisionInfo {
                number: r.get(0)?,
                revision: RevisionHash(r.get(1)?),
                parent: r.get::<_, Option<String>>(2)?.map(RevisionHash),
                saved_at: r.get(3)?,
                purged: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes a testimony's content: every revision's bytes, its index entry and its list
    /// columns. The id and the revision hashes remain, for the chain of custody.
    pub fn delete(&mut self, id: &str) -> Result<TestimonyId, StoreError> {
        let tx = self.conn.transaction()?;
        let (n, full_id) = resolve(&tx, id)?;
        purged_at(&tx, n, &full_id)?;
        let unused = purge(&tx, &self.keys, n, &full_id, &now())?;
        tx.commit()?;
        self.blobs.remove_all(&unused);
        self.fold_wal()?;
        Ok(TestimonyId(full_id))
    }

    /// Deletes the content of several testimonies (full ids, with content) in one
    /// transaction.
    pub(crate) fn purge_all(&mut self, ids: &[String]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let at = now();
        let mut unused = Vec::new();
        for id in ids {
            let (n, full_id) = resolve(&tx, id)?;
            purged_at(&tx, n, &full_id)?;
            unused.extend(purge(&tx, &self.keys, n, &full_id, &at)?);
        }
        tx.commit()?;
        self.blobs.remove_all(&unused);
        self.fold_wal()
    }

    /// Old page images in the write-ahead log are encrypted, but fold them back after a
    /// purge so they do not linger.
    fn fold_wal(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// The exact stored bytes of a revision (RFC 8785 JSON), or `None` once purged.
    pub fn revision_bytes(&self, hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let body: Option<Option<Vec<u8>>> = self
            .conn
            .query_row("SELECT body FROM revisions WHERE hash = ?1", [hash], |r| {
                r.get(0)
            })
            .optional()?;
        match body {
            None => Err(StoreError::UnknownTestimony { id: hash.into() }),
            Some(b) => Ok(b),
        }
    }

    /// Checks that every stored revision hashes to its id.
    pub(crate) fn verify_revision_hashes(&self) -> Result<(), StoreError> {
        let mut st = self.conn.prepare(
            "SELECT t.id, r.hash, r.body FROM revisions r JOIN testimonies t ON t.n = r.testimony
             WHERE r.body IS NOT NULL",
        )?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            let hash: String = row.get(1)?;
            let body: Vec<u8> = row.get(2)?;
            if canonical::sha256_hex(&body) != hash {
                return Err(StoreError::RevisionMismatch {
                    id: row.get(0)?,
                    hash,
                });
            }
        }
        Ok(())
    }
}

/// Saves a revision and makes it current; the attachment index follows its list.
#[allow(clippy::too_many_arguments)]
pub(crate) fn save_revision(
    tx: &Transaction<'_>,
    n: i64,
    id: &str,
    number: u32,
    parent: Option<&str>,
    at: &str,
    t: &Testimony,
    attachments: &[AttachmentRef],
) -> Result<RevisionHash, StoreError> {
    let doc = RevisionDoc {
        format: REVISION_FORMAT,
        testimony: id,
        number,
        parent,
        saved_at: at,
        content: t,
        attachments,
    };
    let body = canonical::to_bytes(&doc)?;
    let hash = canonical::sha256_hex(&body);
    tx.prepare_cached(
        "INSERT INTO revisions (hash, testimony, number, parent, saved_at, body)
         VALUES (:hash, :n, :number, :parent, :at, :body)",
    )?
    .execute(named_params! {":hash": hash, ":n": n, ":number": number, ":parent": parent, ":at": at, ":body": body})?;
    tx.prepare_cached(
        "UPDATE testimonies SET current_revision = :hash, revisions = :number, updated_at = :at,
             status = :status, interview_date = :date, place = :place,
             witness_label = :witness, excerpt = :excerpt
         WHERE n = :n",
    )?
    .execute(named_params! {
            ":hash": hash, ":number": number, ":at": at, ":n": n,
            ":status": t.status.as_ref().map(|s| s.code()),
            ":date": t.interview.as_ref().and_then(|i| i.date.clone()),
            ":place": t.interview.as_ref().and_then(|i| i.place.clone()),
            ":witness": t.witness_label(),
            ":excerpt": excerpt(&t.narrative),
    })?;
    if number > 1 {
        tx.prepare_cached("DELETE FROM testimony_fts WHERE rowid = ?1")?
            .execute([n])?;
    }
    tx.prepare_cached("INSERT INTO testimony_fts (rowid, narrative, details) VALUES (?1, ?2, ?3)")?
        .execute(params![n, t.narrative, t.searchable_details()])?;
    if number > 1 {
        tx.prepare_cached("DELETE FROM attachments WHERE testimony = ?1")?
            .execute([n])?;
    }
    for a in attachments {
        tx.prepare_cached("INSERT OR IGNORE INTO attachments (testimony, sha256) VALUES (?1, ?2)")?
            .execute(params![n, a.sha256])?;
    }
    Ok(RevisionHash(hash))
}

/// Deletes a testimony's content; returns the attachment files no longer used by anything,
/// to remove once the transaction is committed.
fn purge(
    tx: &Transaction<'_>,
    keys: &crate::custody::DeviceKeys,
    n: i64,
    id: &str,
    at: &str,
) -> Result<Vec<String>, StoreError> {
    let current: Option<String> = tx.query_row(
        "SELECT current_revision FROM testimonies WHERE n = ?1",
        [n],
        |r| r.get(0),
    )?;
    tx.prepare_cached("UPDATE revisions SET body = NULL WHERE testimony = ?1")?
        .execute([n])?;
    tx.prepare_cached(
        "UPDATE testimonies SET purged_at = ?2, status = NULL, interview_date = NULL,
             place = NULL, witness_label = NULL, excerpt = NULL
         WHERE n = ?1",
    )?
    .execute(params![n, at])?;
    ledger::append(tx, keys, "purge", id, current.as_deref(), at)?;
    tx.prepare_cached("DELETE FROM testimony_fts WHERE rowid = ?1")?
        .execute([n])?;
    let shas: Vec<String> = tx
        .prepare_cached("DELETE FROM attachments WHERE testimony = ?1 RETURNING sha256")?
        .query_map([n], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut unused = Vec::new();
    for sha in shas {
        unused.extend(super::attachments::release(tx, &sha)?);
    }
    Ok(unused)
}

/// Finds a testimony by its full id or a unique prefix of at least 4 characters.
pub(crate) fn resolve(conn: &rusqlite::Connection, id: &str) -> Result<(i64, String), StoreError> {
    let id = id.trim().to_ascii_lowercase();
    let unknown = || StoreError::UnknownTestimony { id: id.clone() };
    if id.len() < 4 || id.len() > 36 || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(unknown());
    }
    let mut st = conn.prepare_cached(
        "SELECT n, id FROM testimonies WHERE id >= ?1 AND id < ?1 || 'g' ORDER BY id LIMIT 2",
    )?;
    let found: Vec<(i64, String)> = st
        .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    match found.len() {
        0 => Err(unknown()),
        1 => Ok(found.into_iter().next().ok_or_else(unknown)?),
        _ => {
            let count: i64 = conn.query_row(
                "SELECT count(*) FROM testimonies WHERE id >= ?1 AND id < ?1 || 'g'",
                [&id],
                |r| r.get(0),
            )?;
            Err(StoreError::AmbiguousId {
                prefix: id,
                count: count.max(0) as usize,
            })
        }
    }
}

pub(crate) fn purged_at(conn: &rusqlite::Connection, n: i64, id: &str) -> Result<(), StoreError> {
    let at: Option<String> =
        conn.query_row("SELECT purged_at FROM testimonies WHERE n = ?1", [n], |r| {
            r.get(0)
        })?;
    match at {
        Some(at) => Err(StoreError::Purged { id: id.into(), at }),
        None => Ok(()),
    }
}

pub(crate) fn current_revision(
    conn: &rusqlite::Connection,
    n: i64,
    id: &str,
) -> Result<(String, u32, Vec<u8>), StoreError> {
    purged_at(conn, n, id)?;
    let row: Option<(String, u32, Option<Vec<u8>>)> = conn
        .query_row(
            "SELECT r.hash, r.number, r.body FROM testimonies t
             JOIN revisions r ON r.hash = t.current_revision WHERE t.n = ?1",
            [n],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (hash, number, body) = row.ok_or_else(|| StoreError::Damaged {
        reason: format!("testimony {id} has no current revision"),
    })?;
    let body = body.ok_or_else(|| StoreError::Damaged {
        reason: format!("the current revision of {id} has no content"),
    })?;
    if canonical::sha256_hex(&body) != hash {
        return Err(StoreError::RevisionMismatch {
            id: id.into(),
            hash,
        });
    }
    Ok((hash, number, body))
}
