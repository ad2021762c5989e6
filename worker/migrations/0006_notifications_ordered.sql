-- Notifications get a strictly increasing integer id: several notifications written in one batch (Revoke All)
-- or in the same millisecond must still list in a stable newest-first order.
CREATE TABLE notifications_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  recipient_id TEXT NOT NULL REFERENCES accounts (id),
  kind TEXT NOT NULL,
  track_id TEXT NOT NULL REFERENCES tracks (id),
  actor_id TEXT REFERENCES accounts (id),
  actor_name TEXT NOT NULL,
  via TEXT NOT NULL CHECK (via IN ('app', 'dropbox')),
  read_at TEXT,
  created_at TEXT NOT NULL
);
INSERT INTO notifications_new (recipient_id, kind, track_id, actor_id, actor_name, via, read_at, created_at)
  SELECT recipient_id, kind, track_id, actor_id, actor_name, via, read_at, created_at FROM notifications ORDER BY id;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_recipient ON notifications (recipient_id, id);
CREATE INDEX notifications_unread ON notifications (recipient_id) WHERE read_at IS NULL;
