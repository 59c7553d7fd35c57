-- The organisation's side: devices that sent bundles, what they sent, and their ledgers.
CREATE TABLE senders (
    device_key     TEXT PRIMARY KEY,
    age_recipient  TEXT NOT NULL,
    first_seen     TEXT NOT NULL
) STRICT;

CREATE TABLE received_bundles (
    bundle_id    TEXT PRIMARY KEY,
    sender       TEXT NOT NULL REFERENCES senders(device_key),
    created      TEXT NOT NULL,
    received_at  TEXT NOT NULL
) STRICT;

-- Revisions as received, exact bytes; `hash` is their SHA-256.
CREATE TABLE received_revisions (
    hash         TEXT PRIMARY KEY,
    testimony    TEXT NOT NULL,
    sender       TEXT NOT NULL REFERENCES senders(device_key),
    bundle_id    TEXT NOT NULL,
    body         BLOB NOT NULL,
    received_at  TEXT NOT NULL
) STRICT;

-- Each sender's ledger entries as received; a second, different entry at the same place
-- would be a forked history and is refused.
CREATE TABLE received_ledger (
    sender  TEXT NOT NULL REFERENCES senders(device_key),
    seq     INTEGER NOT NULL,
    hash    TEXT NOT NULL,
    entry   TEXT NOT NULL,
    PRIMARY KEY (sender, seq)
) STRICT;
