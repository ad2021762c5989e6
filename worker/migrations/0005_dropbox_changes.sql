-- Outbox of changes PD still has to make in Dropbox, written in the same batch as the PD change.
-- Executed by the worker's job code in id order. params is JSON:
--   { shared_folder_id, email, dropbox_account_id (or null), access_level (add/update), leave_a_copy (false),
--     actor_account_id: the PD account whose Dropbox token makes the call (owner; the leaver for relinquish) }
CREATE TABLE dropbox_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  track_id TEXT NOT NULL REFERENCES tracks (id),
  collaborator_id TEXT REFERENCES collaborators (id),
  kind TEXT NOT NULL CHECK (kind IN ('remove_member', 'relinquish', 'update_access', 'add_member')),
  params TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending', -- pending | running | done | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  next_attempt_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX dropbox_changes_track ON dropbox_changes (track_id, status);
CREATE INDEX dropbox_changes_due ON dropbox_changes (status, next_attempt_at);
