-- Attachment content, by the SHA-256 of the original bytes: each is a file in the vault's
-- `attachments/` folder, encrypted under its own key, which lives only here. Deleting the
-- row makes the file unreadable.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    file        TEXT NOT NULL UNIQUE,
    key         BLOB NOT NULL,
    size        INTEGER NOT NULL,
    media_type  TEXT NOT NULL,
    -- JSON list of metadata that can endanger people ({"field", "value"}), found at attach.
    metadata    TEXT NOT NULL,
    stored_at   TEXT NOT NULL
) STRICT;

-- Which blobs the current revision of each testimony lists (the revision document is the
-- truth; this is its index), and which blobs received revisions list.
CREATE TABLE attachments (
    testimony  INTEGER NOT NULL REFERENCES testimonies(n),
    sha256     TEXT NOT NULL REFERENCES blobs(sha256),
    PRIMARY KEY (testimony, sha256)
) STRICT;
CREATE INDEX attachments_by_blob ON attachments (sha256);

CREATE TABLE received_attachments (
    revision  TEXT NOT NULL REFERENCES received_revisions(hash),
    sha256    TEXT NOT NULL,
    PRIMARY KEY (revision, sha256)
) STRICT;
CREATE INDEX received_attachments_by_blob ON received_attachments (sha256);

-- What each organisation already holds, so incremental exports do not resend content.
CREATE TABLE blob_deliveries (
    recipient  TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    bundle_id  TEXT NOT NULL,
    PRIMARY KEY (recipient, sha256)
) STRICT;
