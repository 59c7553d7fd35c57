-- Every name each sending device has used, so that a device that renames itself does not
-- free its old name for another key to claim.
CREATE TABLE sender_names (
    device_key  TEXT NOT NULL REFERENCES senders(device_key),
    name        TEXT NOT NULL,
    PRIMARY KEY (device_key, name)
) STRICT;
INSERT INTO sender_names (device_key, name) SELECT device_key, name FROM senders WHERE name != '';
