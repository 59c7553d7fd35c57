-- Partner organisations this device may export to, by name and age X25519 recipient.
CREATE TABLE recipients (
    name       TEXT PRIMARY KEY,
    recipient  TEXT NOT NULL UNIQUE,
    added_at   TEXT NOT NULL
) STRICT;
