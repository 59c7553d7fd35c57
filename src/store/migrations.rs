//! Forward-only schema migrations, numbered by `PRAGMA user_version`. A migration is never
//! edited once released; a change is a new file.

use rusqlite::Connection;

use super::StoreError;

/// Every migration in order; the schema version is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_custody.sql"),
    include_str!("migrations/0003_recipients.sql"),
    include_str!("migrations/0004_deliveries.sql"),
    include_str!("migrations/0005_received.sql"),
    include_str!("migrations/0006_acknowledgements.sql"),
    include_str!("migrations/0007_attachments.sql"),
    include_str!("migrations/0008_duress.sql"),
    include_str!("migrations/0009_acknowledged_blobs.sql"),
    include_str!("migrations/0010_received_by_testimony.sql"),
    include_str!("migrations/0011_sender_names.sql"),
    include_str!("migrations/0012_delivered_forms.sql"),
    include_str!("migrations/0013_detector.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings the schema to [`SCHEMA_VERSION`], each step in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<u32, StoreError> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
        tx.commit()?;
    }
    Ok(SCHEMA_VERSION)
}

/// The version a database is at.
pub fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}
