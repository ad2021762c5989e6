-- Issue 9, item 1: accepting in PD mounts the shared folder with the member's own token, a new kind of pending
-- Dropbox change ('mount_folder'). SQLite cannot alter a CHECK constraint, so the table is rebuilt with the same
-- columns, rows (ids kept, so the AUTOINCREMENT sequence continues) and indexes.
-- NOTE for later migrations: a migration numbered below 0014 must not add columns to dropbox_changes (they would
-- be dropped here); add them after 0014.
PRAGMA defer_foreign_keys = true;
CREATE TABLE dropbox_changes_0014 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  track_id TEXT NOT NULL REFERENCES tracks (id),
  collaborator_id TEXT REFERENCES collaborators (id),
  kind TEXT NOT NULL CHECK (kind IN ('remove_member', 'relinquish', 'update_access', 'add_member', 'mount_folder')),
  params TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending', -- pending | running | done | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  next_attempt_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
INSERT INTO dropbox_changes_0014 (id, track_id, collaborator_id, kind, params, status, attempts, last_error, next_attempt_at, created_at, updated_at)
  SELECT id, track_id, collaborator_id, kind, params, status, attempts, last_error, next_attempt_at, created_at, updated_at FROM dropbox_changes;
DROP TABLE dropbox_changes;
ALTER TABLE dropbox_changes_0014 RENAME TO dropbox_changes;
CREATE INDEX dropbox_changes_track ON dropbox_changes (track_id, status);
CREATE INDEX dropbox_changes_due ON dropbox_changes (status, next_attempt_at);
