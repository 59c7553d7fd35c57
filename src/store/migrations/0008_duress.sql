-- The decoy for the duress passphrase, if one is set: its database waits, encrypted under
-- its own key, as a file among the attachments, and its key is sealed in this keyslot.
CREATE TABLE duress (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    file  TEXT NOT NULL,
    slot  INTEGER NOT NULL,
    set_at TEXT NOT NULL
) STRICT;
