-- Every form in which a revision went to an organisation (as stored; without the witness's
-- name; with derivatives in place of its attachments): `deliveries` keeps only the latest,
-- and an acknowledgement may name an earlier one the organisation holds.
CREATE TABLE delivered_forms (
    recipient  TEXT NOT NULL,
    exported   TEXT NOT NULL,
    revision   TEXT NOT NULL,
    bundle_id  TEXT NOT NULL,
    PRIMARY KEY (recipient, exported)
) STRICT;
INSERT INTO delivered_forms (recipient, exported, revision, bundle_id)
    SELECT recipient, exported, revision, bundle_id FROM deliveries;
CREATE INDEX delivered_forms_by_revision ON delivered_forms (revision);
