-- The device's own keys: an Ed25519 signing key (PKCS#8) and an age X25519 identity.
-- They live only here, inside the encrypted database.
CREATE TABLE device (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    signing_key   BLOB NOT NULL,
    age_identity  TEXT NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;

-- The append-only, hash-chained, signed record of every change. `hash` is the SHA-256 of
-- the entry's canonical bytes with `sig`; it is kept to find `prev` quickly and is never
-- trusted by verification, which recomputes it.
CREATE TABLE ledger (
    seq       INTEGER PRIMARY KEY,
    prev      TEXT,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    record    TEXT NOT NULL,
    revision  TEXT,
    device    TEXT NOT NULL,
    sig       TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
) STRICT;
