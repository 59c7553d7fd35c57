//! The name this device gives itself in the bundles it signs. Optional: an unnamed device
//! is known to organisations by its key's fingerprint alone.

use super::{Store, StoreError};
use crate::bundle::BundleError;

/// Trims a name and checks it is 1 to 200 characters without control characters; names of
/// recipients and devices follow the same rule.
pub fn clean_name(name: &str) -> Result<&str, BundleError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > 200
        || name.chars().any(|c| c.is_control() || invisible(c))
    {
        return Err(BundleError::BadName);
    }
    Ok(name)
}

/// Characters that show as nothing, or as a space, and would let two names that look the
/// same differ: zero-width and joining characters, direction marks, fillers and blanks.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}')
}

impl Store {
    /// The device's name, if it has one.
    pub fn device_name(&self) -> Result<Option<String>, StoreError> {
        let name: String =
            self.conn
                .query_row("SELECT name FROM device WHERE id = 1", [], |r| r.get(0))?;
        Ok((!name.is_empty()).then_some(name))
    }

    /// Names the device; later bundles carry the name.
    pub fn set_device_name(&mut self, name: &str) -> Result<String, StoreError> {
        let name = clean_name(name)?;
        self.conn
            .execute("UPDATE device SET name = ?1 WHERE id = 1", [name])?;
        Ok(name.to_owned())
    }
}
