-- What each organisation (by its age recipient) has been sent, so exports are incremental.
CREATE TABLE deliveries (
    recipient  TEXT NOT NULL,
    revision   TEXT NOT NULL,
    exported   TEXT NOT NULL,
    bundle_id  TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (recipient, revision)
) STRICT;
