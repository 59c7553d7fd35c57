-- The name a device calls itself in the bundles it signs (empty: unnamed), and the name
-- each sender claimed, so a second device cannot pass itself off under a known name.
ALTER TABLE device ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE senders ADD COLUMN name TEXT NOT NULL DEFAULT '';

-- Every bundle this device wrote, so an acknowledgement can only vouch for bundles that
-- were really sent to the organisation that signs it.
CREATE TABLE exports (
    bundle_id  TEXT PRIMARY KEY,
    recipient  TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;
INSERT INTO exports (bundle_id, recipient, at)
    SELECT bundle_id, recipient, min(at) FROM deliveries GROUP BY bundle_id;

-- Revisions (as exported) an organisation confirmed it holds.
CREATE TABLE acknowledgements (
    recipient  TEXT NOT NULL,
    exported   TEXT NOT NULL,
    ack_id     TEXT NOT NULL,
    signer     TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (recipient, exported)
) STRICT;
CREATE INDEX deliveries_by_revision ON deliveries (revision);
