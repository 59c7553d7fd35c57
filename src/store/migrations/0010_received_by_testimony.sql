-- Received revisions by testimony: to read a received testimony, and to refuse a second
-- device's revisions under an id another device's testimony has.
CREATE INDEX received_revisions_by_testimony ON received_revisions (testimony, sender);
