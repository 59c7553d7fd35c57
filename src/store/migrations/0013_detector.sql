-- Which version of the detector (`media::DETECTOR`) read each stored attachment's type and
-- metadata. Rows from before this column were read by an older one (0): they are read
-- again the next time they are listed or exported, so that what a newer detector finds
-- is shown and stripped.
ALTER TABLE blobs ADD COLUMN detector INTEGER NOT NULL DEFAULT 0;
