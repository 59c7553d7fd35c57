//! What an organisation's vault holds of the testimonies it received, for its analysts to
//! read: every revision held, from whom and in which bundle, and the attachments those
//! revisions list, with whether their content arrived.

use serde::Serialize;
use serde_json::Value;

use super::attachments::{holds_blob, AttachmentRef};
use super::testimonies::StoredRevision;
use super::{Store, StoreError};
use crate::bundle::inspect::fingerprint_b64;

/// One received revision of a testimony, with its content.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedRecord {
    /// Revision hash (as the sender's bundle carried it).
    pub revision: String,
    /// The sending device's read-aloud fingerprint.
    pub sender_fingerprint: String,
    /// The name the sending device gave itself, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    /// The bundle it came in.
    pub bundle_id: String,
    /// When it was imported.
    pub received_at: String,
    /// The record as received (RFC 8785 JSON, parsed).
    pub record: Value,
}

/// An attachment a received revision lists.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedAttachment {
    /// How the revision lists it.
    #[serde(flatten)]
    pub attachment: AttachmentRef,
    /// Whether its content is in this vault (an incremental bundle does not carry what was
    /// sent before).
    pub held: bool,
}

/// A received testimony: every revision held, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedTestimony {
    /// The sender's testimony id.
    pub id: String,
    /// Revisions held, in the order they were imported.
    pub revisions: Vec<ReceivedRecord>,
    /// Attachments any of them lists, once each.
    pub attachments: Vec<ReceivedAttachment>,
}

/// The full id of a received testimony from an id or a unique prefix (4 or more digits).
pub(crate) fn resolve_received(
    conn: &rusqlite::Connection,
    id: &str,
) -> Result<String, StoreError> {
    let id = id.trim().to_ascii_lowercase();
    let unknown = || StoreError::UnknownTestimony { id: id.clone() };
    if id.len() < 4 || id.len() > 36 || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(unknown());
    }
    let mut st = conn.prepare_cached(
        "SELECT DISTINCT testimony FROM received_revisions
         WHERE testimony >= ?1 AND testimony < ?1 || 'g' ORDER BY testimony LIMIT 3",
    )?;
    let found: Vec<String> = st
        .query_map([&id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    match found.as_slice() {
        [] => Err(unknown()),
        [one] => Ok(one.clone()),
        more => Err(StoreError::AmbiguousId {
            prefix: id,
            count: more.len(),
        }),
    }
}

impl Store {
    /// A received testimony by id or unique prefix.
    pub fn received_testimony(&self, id: &str) -> Result<ReceivedTestimony, StoreError> {
        let id = resolve_received(&self.conn, id)?;
        let mut st = self.conn.prepare(
            "SELECT r.hash, r.sender, s.name, r.bundle_id, r.received_at, r.body
             FROM received_revisions r LEFT JOIN senders s ON s.device_key = r.sender
             WHERE r.testimony = ?1 ORDER BY r.received_at, r.rowid",
        )?;
        let mut rows = st.query([&id])?;
        let (mut revisions, mut attachments) = (Vec::new(), Vec::<ReceivedAttachment>::new());
        while let Some(row) = rows.next()? {
            let body: Vec<u8> = row.get(5)?;
            let stored: StoredRevision = serde_json::from_slice(&body)?;
            for a in stored.attachments {
                if attachments.iter().any(|x| x.attachment.sha256 == a.sha256) {
                    continue;
                }
                let held = holds_blob(&self.conn, &a.sha256)?;
                attachments.push(ReceivedAttachment {
                    attachment: a,
                    held,
                });
            }
            let sender: String = row.get(1)?;
            let name: Option<String> = row.get(2)?;
            revisions.push(ReceivedRecord {
                revision: row.get(0)?,
                sender_fingerprint: fingerprint_b64(&sender),
                sender_name: name.filter(|n| !n.is_empty()),
                bundle_id: row.get(3)?,
                received_at: row.get(4)?,
                record: serde_json::from_slice(&body)?,
            });
        }
        Ok(ReceivedTestimony {
            id,
            revisions,
            attachments,
        })
    }
}
