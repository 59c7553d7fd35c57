-- Testimonies: one row per record, with a pointer to its current revision and a few
-- denormalised columns so lists need not decode every revision.
CREATE TABLE testimonies (
    n                INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    current_revision TEXT,
    revisions        INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    purged_at        TEXT,
    status           TEXT,
    interview_date   TEXT,
    place            TEXT,
    witness_label    TEXT,
    excerpt          TEXT
) STRICT;

-- Immutable revisions. `hash` is the SHA-256 of `body`, the RFC 8785 bytes of the revision.
-- A purge sets `body` to NULL and keeps the hash.
CREATE TABLE revisions (
    hash       TEXT PRIMARY KEY,
    testimony  INTEGER NOT NULL REFERENCES testimonies(n),
    number     INTEGER NOT NULL,
    parent     TEXT,
    saved_at   TEXT NOT NULL,
    body       BLOB,
    UNIQUE (testimony, number)
) STRICT;

-- Full-text index of the current revisions; rowid = testimonies.n. unicode61 folds case for
-- Cyrillic (Russian and Kazakh letters) as well as Latin.
CREATE VIRTUAL TABLE testimony_fts USING fts5(
    narrative,
    details,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Deleted text is removed from the index pages themselves, not only marked deleted.
INSERT INTO testimony_fts (testimony_fts, rank) VALUES ('secure-delete', 1);
-- Index segments are merged when the store is closed after changes (Store::drop), not
-- inside the save that happens to cross a threshold, so a single save stays fast.
INSERT INTO testimony_fts (testimony_fts, rank) VALUES ('automerge', 0);
