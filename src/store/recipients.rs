//! The partner organisations this device may export to.

use rusqlite::params;

use super::{Store, StoreError};
use crate::bundle::export::same_name;
use crate::bundle::org_key::{parse_recipient, recipient_fingerprint};
use crate::bundle::{BundleError, Recipient};

impl Store {
    /// Adds a recipient; names and keys are unique.
    pub fn add_recipient(&mut self, name: &str, recipient: &str) -> Result<Recipient, StoreError> {
        let name = super::identity::clean_name(name)?;
        let key = parse_recipient(recipient)?.to_string();
        // Names are matched without regard to case (as `export --to` does), in Rust since
        // SQLite's lower() knows only ASCII.
        let clash = self
            .recipients()?
            .into_iter()
            .find(|r| same_name(&r.name, name) || r.recipient == key);
        if let Some(r) = clash {
            let what = if same_name(&r.name, name) {
                format!("the name {name:?}")
            } else {
                format!("the key {}", r.recipient)
            };
            return Err(BundleError::DuplicateRecipient {
                what,
                existing: r.name,
            }
            .into());
        }
        let at = super::testimonies::now();
        self.conn.execute(
            "INSERT INTO recipients (name, recipient, added_at) VALUES (?1, ?2, ?3)",
            params![name, key, at],
        )?;
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

    /// Removes a recipient by name (case does not matter).
    pub fn remove_recipient(&mut self, name: &str) -> Result<(), StoreError> {
        let found = self
            .recipients()?
            .into_iter()
            .find(|r| same_name(&r.name, name))
            .ok_or_else(|| BundleError::UnknownRecipient {
                name: name.trim().to_owned(),
            })?;
        self.conn
            .execute("DELETE FROM recipients WHERE name = ?1", [found.name])?;
        Ok(())
    }
}
