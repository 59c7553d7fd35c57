//! What the partner organisations confirmed they hold, and purging what is safely
//! delivered from the field device, so that less is at risk if it is seized.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::Value;

use super::{Store, StoreError};
use crate::bundle::export::{same_name, share_with};

/// Acknowledged in any form it went in (the same revision may have gone once with its
/// photos stripped and once without).
const DELIVERED: &str = "SELECT DISTINCT t.id, coalesce(rc.name, d.recipient), t.n
     FROM testimonies t
     JOIN delivered_forms d ON d.revision = t.current_revision
     JOIN acknowledgements a ON a.recipient = d.recipient AND a.exported = d.exported
     LEFT JOIN recipients rc ON rc.recipient = d.recipient
     WHERE t.purged_at IS NULL";

/// A testimony that every organisation its consent names has acknowledged.
#[derive(Debug, Clone, Serialize)]
pub struct Delivered {
    /// Its id.
    pub id: String,
    /// Who acknowledged its current revision.
    pub delivered_to: Vec<String>,
}

impl Store {
    /// For each testimony with content whose current revision an organisation has
    /// acknowledged: the names of those organisations.
    pub fn delivered(&self) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(&format!("{DELIVERED} ORDER BY 3, 2"))?;
        let mut rows = st.query([])?;
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        while let Some(row) = rows.next()? {
            out.entry(row.get(0)?).or_default().push(row.get(1)?);
        }
        Ok(out)
    }

    /// The organisations that acknowledged a testimony's current revision.
    pub fn delivered_to(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(&format!("{DELIVERED} AND t.id = ?1 ORDER BY 2"))?;
        let rows = st.query_map([id], |r| r.get(1))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Testimonies whose current revision every organisation named in its
    /// `consent.share_with` has acknowledged, and whose attachments each of them confirmed
    /// holding: what `purge_delivered` would remove.
    pub fn fully_delivered(&self) -> Result<Vec<Delivered>, StoreError> {
        Ok(self.purge_plan()?.0)
    }

    /// Testimonies every chosen organisation acknowledged that are still kept because some
    /// of their attachments are not confirmed held by all of them (sent before in a bundle
    /// that was not acknowledged, or sent only as a copy without metadata).
    pub fn delivered_without_attachments(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.purge_plan()?.1)
    }

    /// What may be purged, and what is kept only for its attachments.
    fn purge_plan(&self) -> Result<(Vec<Delivered>, Vec<String>), StoreError> {
        let (mut purge, mut kept) = (Vec::new(), Vec::new());
        for (id, delivered_to) in self.delivered()? {
            let body: Option<Vec<u8>> = self
                .conn
                .prepare_cached(
                    "SELECT r.body FROM testimonies t JOIN revisions r ON r.hash = t.current_revision
                     WHERE t.id = ?1",
                )?
                .query_row([&id], |r| r.get(0))
                .optional()?
                .flatten();
            let Some(body) = body else { continue };
            let doc: Value = serde_json::from_slice(&body)?;
            // Every organisation the witness chose must hold it, not only one of them.
            let chosen: Vec<&String> = share_with(&doc["content"])
                .map(|name| delivered_to.iter().find(|d| same_name(d, name)))
                .collect::<Option<_>>()
                .unwrap_or_default();
            if chosen.is_empty() {
                continue;
            }
            let mut originals_held = true;
            for name in chosen {
                let missing: i64 = self
                    .conn
                    .prepare_cached(
                        "SELECT count(*) FROM attachments a
                         JOIN testimonies t ON t.n = a.testimony
                         WHERE t.id = ?1 AND NOT EXISTS (
                             SELECT 1 FROM acknowledged_blobs k
                             JOIN recipients rc ON rc.recipient = k.recipient
                             WHERE k.sha256 = a.sha256 AND (rc.name = ?2 OR k.recipient = ?2))",
                    )?
                    .query_row(params![id, name], |r| r.get(0))?;
                originals_held &= missing == 0;
            }
            if originals_held {
                purge.push(Delivered { id, delivered_to });
            } else {
                kept.push(id);
            }
        }
        Ok((purge, kept))
    }

    /// Deletes the content of every fully delivered testimony (see [`Self::fully_delivered`])
    /// in one transaction; the ledger keeps their hashes.
    pub fn purge_delivered(&mut self) -> Result<Vec<Delivered>, StoreError> {
        let done = self.fully_delivered()?;
        let ids: Vec<String> = done.iter().map(|d| d.id.clone()).collect();
        if !ids.is_empty() {
            self.purge_all(&ids)?;
        }
        Ok(done)
    }
}
