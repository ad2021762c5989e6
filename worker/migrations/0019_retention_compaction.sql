-- Issue 10, part 5 (storage that lasts): retention that loses nothing a user can see (src/jobs/retention.ts).

-- The library sync cursor each session has passed: GET /sync?cursor=N says this browser has every library change
-- up to N. A change every live session of its person has passed is pruned by the cron. NULL: this session never
-- synced (then nothing of that person is pruned).
ALTER TABLE sessions ADD COLUMN sync_cursor INTEGER;

-- Seen file revisions, rebuilt WITHOUT ROWID: the (shared folder, revision) key is the row, not a copy of it in a
-- separate primary-key index beside a rowid table (about half the bytes of every row). Same columns and rows.
-- claimed_by is only read by the batch that claims a revision (its claim id); the cron blanks it once the row is
-- older than SEEN_FILE_COMPACT_AFTER_DAYS, and the partial index finds those rows without reading the table.
CREATE TABLE dropbox_seen_files_0019 (
  shared_folder_id TEXT NOT NULL,
  file_key TEXT NOT NULL,
  claimed_by TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (shared_folder_id, file_key)
) WITHOUT ROWID;
INSERT INTO dropbox_seen_files_0019 (shared_folder_id, file_key, claimed_by, seen_at)
  SELECT shared_folder_id, file_key, claimed_by, seen_at FROM dropbox_seen_files;
DROP TABLE dropbox_seen_files;
ALTER TABLE dropbox_seen_files_0019 RENAME TO dropbox_seen_files;
CREATE INDEX dropbox_seen_files_to_compact ON dropbox_seen_files (seen_at) WHERE claimed_by <> '';

-- Dropbox changes carried out long ago are pruned (PD shows pending, running and failed ones only).
CREATE INDEX dropbox_changes_done ON dropbox_changes (updated_at) WHERE status = 'done';
