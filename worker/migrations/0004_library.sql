-- Per-person library placement. A row stays (in_library = 0) after access ends, so the person's
-- project/hidden choice survives being shared again.
CREATE TABLE library_entries (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  track_id TEXT NOT NULL REFERENCES tracks (id),
  project TEXT,
  hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
  in_library INTEGER NOT NULL DEFAULT 1 CHECK (in_library IN (0, 1)),
  added_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (account_id, track_id)
) WITHOUT ROWID;
-- The library page: one person's tracks, newest first (track ids are time-ordered).
CREATE INDEX library_entries_list ON library_entries (account_id, in_library, track_id);
-- Fan-out of a track change to everyone who has it.
CREATE INDEX library_entries_track ON library_entries (track_id, in_library);

-- Append-only log of changes to someone's library. GET /sync?cursor=N reads seq > N for one person.
CREATE TABLE library_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL,
  track_id TEXT NOT NULL,
  change TEXT NOT NULL CHECK (change IN ('added', 'updated', 'removed')),
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX library_changes_account ON library_changes (account_id, seq);
