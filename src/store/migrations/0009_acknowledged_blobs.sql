-- Attachment contents an organisation confirmed it holds. A testimony's content is purged
-- only when its organisations hold its originals too: an acknowledged revision alone does
-- not say the attachments it lists arrived (an incremental export leaves out what was sent
-- before, and --strip-metadata sends a derivative instead of the original).
CREATE TABLE acknowledged_blobs (
    recipient  TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    ack_id     TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (recipient, sha256)
) STRICT;
