-- Comments keep the author's name as it was written; they are never deleted when access ends.
CREATE TABLE comments (
  id TEXT PRIMARY KEY,
  track_id TEXT NOT NULL REFERENCES tracks (id),
  author_id TEXT NOT NULL REFERENCES accounts (id),
  author_name TEXT NOT NULL,
  body TEXT NOT NULL,
  pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
  pinned_by TEXT REFERENCES accounts (id),
  pinned_by_name TEXT,
  pinned_at TEXT,
  event_id TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX comments_track ON comments (track_id, id);

-- Every change to a track, with who did it and through what (this app or Dropbox). Never rewritten.
CREATE TABLE track_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  track_id TEXT NOT NULL REFERENCES tracks (id),
  kind TEXT NOT NULL,
  actor_id TEXT REFERENCES accounts (id),
  actor_name TEXT NOT NULL,
  via TEXT NOT NULL CHECK (via IN ('app', 'dropbox')),
  collaborator_id TEXT REFERENCES collaborators (id),
  details TEXT NOT NULL DEFAULT '{}', -- JSON
  created_at TEXT NOT NULL
);
CREATE INDEX track_history_track ON track_history (track_id, id);

CREATE TABLE notifications (
  id TEXT PRIMARY KEY, -- time-ordered
  recipient_id TEXT NOT NULL REFERENCES accounts (id),
  kind TEXT NOT NULL,
  track_id TEXT NOT NULL REFERENCES tracks (id),
  actor_id TEXT REFERENCES accounts (id),
  actor_name TEXT NOT NULL,
  via TEXT NOT NULL CHECK (via IN ('app', 'dropbox')),
  read_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX notifications_recipient ON notifications (recipient_id, id);
CREATE INDEX notifications_unread ON notifications (recipient_id) WHERE read_at IS NULL;
