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

/// What `purge --delivered` removes, and what it keeps although acknowledged.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PurgePlan {
    /// Testimonies whose content goes.
    pub purge: Vec<Delivered>,
    /// Acknowledged testimonies kept because not every organisation confirmed holding
    /// their original attachments (sent before in a bundle it has not acknowledged, or only
    /// as a copy without metadata).
    pub kept_for_attachments: Vec<String>,
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
    /// holding: what `purge_delivered` would remove; and those held back only for their
    /// attachments.
    pub fn purge_plan(&self) -> Result<PurgePlan, StoreError> {
        let mut plan = PurgePlan::default();
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
                plan.purge.push(Delivered { id, delivered_to });
            } else {
                plan.kept_for_attachments.push(id);
            }
        }
        Ok(plan)
    }

    /// Deletes the content of every testimony [`Self::purge_plan`] lets go, in one
    /// transaction; the ledger keeps their hashes. Returns that plan.
    pub fn purge_delivered(&mut self) -> Result<PurgePlan, StoreError> {
        let plan = self.purge_plan()?;
        let ids: Vec<String> = plan.purge.iter().map(|d| d.id.clone()).collect();
        if !ids.is_empty() {
            self.purge_all(&ids)?;
        }
        Ok(plan)
    }
}
