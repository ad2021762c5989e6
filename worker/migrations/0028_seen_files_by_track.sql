-- Issue 10, part 5 (storage that lasts), fourth step: seen file revisions keyed by the folder's track number and
-- the revision as bytes, instead of the shared folder id and the revision as hex text (~3 KB of a typical track).
-- Same rule, same rows: a shared folder is one track (tracks.dropbox_shared_folder_id is unique and never changes),
-- so (track, key) decides a revision exactly as (shared folder, key) did. A key that is a revision (Dropbox's Rev:
-- lowercase hex, at least 9 digits) is stored as a blob: one byte 0x00 then the digits as bytes when there is an
-- even number of them, else the digits after a leading nibble 1 (so an odd and an even revision never meet); any
-- other key (a file Dropbox gave no rev) stays text, and a text value never equals a blob.
-- src/jobs/reconcile.ts (seenKeySql) encodes keys the same way.
CREATE TABLE dropbox_seen_files_0028 (
  track_no INTEGER NOT NULL,
  file_key BLOB NOT NULL,
  claimed_by TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (track_no, file_key)
) WITHOUT ROWID;
INSERT INTO dropbox_seen_files_0028 (track_no, file_key, claimed_by, seen_at)
  SELECT t.no,
         CASE WHEN f.file_key <> '' AND NOT f.file_key GLOB '*[^0-9a-f]*'
              THEN unhex(CASE WHEN length(f.file_key) % 2 = 1 THEN '1' ELSE '00' END || f.file_key)
              ELSE f.file_key END,
         f.claimed_by, f.seen_at
  FROM dropbox_seen_files f JOIN tracks t ON t.dropbox_shared_folder_id = f.shared_folder_id
  WHERE true
  ON CONFLICT DO NOTHING;
DROP TABLE dropbox_seen_files;
ALTER TABLE dropbox_seen_files_0028 RENAME TO dropbox_seen_files;
CREATE INDEX dropbox_seen_files_to_compact ON dropbox_seen_files (seen_at) WHERE claimed_by <> '';
