//! The partner organisations this device may export to.

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
use crate::bundle::org_key::{parse_recipient, recipient_fingerprint};
use crate::bundle::{BundleError, Recipient};

impl Store {
    /// Adds a recipient; names and keys are unique.
    pub fn add_recipient(&mut self, name: &str, recipient: &str) -> Result<Recipient, StoreError> {
        let name = super::identity::clean_name(name)?;
        let key = parse_recipient(recipient)?.to_string();
        let tx = self.conn.transaction()?;
        let clash: Option<(String, String)> = tx
            .query_row(
                "SELECT name, recipient FROM recipients WHERE name = ?1 OR recipient = ?2",
                params![name, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((existing, existing_key)) = clash {
            let what = if existing == name {
                format!("the name {name:?}")
            } else {
                format!("the key {existing_key}")
            };
            return Err(BundleError::DuplicateRecipient { what, existing }.into());
        }
        let at = super::testimonies::now();
        tx.execute(
            "INSERT INTO recipients (name, recipient, added_at) VALUES (?1, ?2, ?3)",
            params![name, key, at],
        )?;
        tx.commit()?;
        Ok(Recipient {
            name: name.to_owned(),
            fingerprint: recipient_fingerprint(&key),
            recipient: key,
            added_at: at,
        })
    }

    /// Every recipient, by name.
    pub fn recipients(&self) -> Result<Vec<Recipient>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT name, recipient, added_at FROM recipients ORDER BY name")?;
        let rows = st.query_map([], |r| {
            let recipient: String = r.get(1)?;
            Ok(Recipient {
                name: r.get(0)?,
                fingerprint: recipient_fingerprint(&recipient),
                recipient,
                added_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Removes a recipient by name.
    pub fn remove_recipient(&mut self, name: &str) -> Result<(), StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM recipients WHERE name = ?1", [name.trim()])?;
        if n == 0 {
            return Err(BundleError::UnknownRecipient {
                name: name.trim().to_owned(),
            }
            .into());
        }
        Ok(())
    }
}
