//! The real vault's record of its duress decoy (see `vault::duress`).

use rusqlite::{params, OptionalExtension};

use super::{now, Store, StoreError};

impl Store {
    /// The decoy's file name (in the attachment folder) and keyslot, if a duress
    /// passphrase is set.
    pub(crate) fn duress(&self) -> Result<Option<(String, usize)>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT file, slot FROM duress WHERE id = 1", [], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as usize))
            })
            .optional()?)
    }

    /// Records (or forgets, with `None`) the decoy.
    pub(crate) fn set_duress(&mut self, decoy: Option<(&str, usize)>) -> Result<(), StoreError> {
        match decoy {
            Some((file, slot)) => self.conn.execute(
                "INSERT OR REPLACE INTO duress (id, file, slot, set_at) VALUES (1, ?1, ?2, ?3)",
                params![file, slot as i64, now()],
            )?,
            None => self.conn.execute("DELETE FROM duress", [])?,
        };
        Ok(())
    }

    /// The attachment folder, where the decoy waits.
    pub(crate) fn attachment_dir(&self) -> &std::path::Path {
        &self.blobs.path
    }
}
