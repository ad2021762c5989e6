-- Issue 10, part 5 (storage that lasts), third step: the two biggest tables name their track and their person by a
-- small integer instead of PD's 32-character text id, which every row and index entry repeated (~8 KB of a typical
-- track). tracks.no and accounts.no are those integers: given once, on insert, and never changed or reused.
-- The API is unchanged: reads join back to the text ids (src/domain/history.ts, src/domain/comments.ts).
ALTER TABLE tracks ADD COLUMN no INTEGER;
UPDATE tracks SET no = rowid;
CREATE UNIQUE INDEX tracks_no ON tracks (no);
CREATE TRIGGER tracks_no AFTER INSERT ON tracks WHEN NEW.no IS NULL
BEGIN
  UPDATE tracks SET no = (SELECT coalesce(max(no), 0) + 1 FROM tracks) WHERE id = NEW.id;
END;

ALTER TABLE accounts ADD COLUMN no INTEGER;
UPDATE accounts SET no = rowid;
CREATE UNIQUE INDEX accounts_no ON accounts (no);
CREATE TRIGGER accounts_no AFTER INSERT ON accounts WHEN NEW.no IS NULL
BEGIN
  UPDATE accounts SET no = (SELECT coalesce(max(no), 0) + 1 FROM accounts) WHERE id = NEW.id;
END;

-- History: same rows and ids (AUTOINCREMENT carries on above them), track and actor by number.
CREATE TABLE track_history_0027 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  track_no INTEGER NOT NULL REFERENCES tracks (no),
  kind TEXT NOT NULL,
  actor_no INTEGER REFERENCES accounts (no),
  actor_name TEXT NOT NULL,
  via TEXT NOT NULL CHECK (via IN ('app', 'dropbox')),
  collaborator_id TEXT REFERENCES collaborators (id),
  details TEXT NOT NULL DEFAULT '{}', -- JSON
  created_at TEXT NOT NULL
);
INSERT INTO track_history_0027 (id, track_no, kind, actor_no, actor_name, via, collaborator_id, details, created_at)
  SELECT h.id, t.no, h.kind, a.no, h.actor_name, h.via, h.collaborator_id, h.details, h.created_at
  FROM track_history h JOIN tracks t ON t.id = h.track_id LEFT JOIN accounts a ON a.id = h.actor_id
  ORDER BY h.id;
DROP TABLE track_history;
ALTER TABLE track_history_0027 RENAME TO track_history;
CREATE INDEX track_history_track ON track_history (track_no, id);

-- Comments, WITHOUT ROWID and keyed by (track, id): a track's comments are one range of the table itself, so neither
-- the primary-key index on id nor comments_track (track_id, id) is needed any more. Comment ids stay as they were.
CREATE TABLE comments_0027 (
  track_no INTEGER NOT NULL REFERENCES tracks (no),
  id TEXT NOT NULL,
  author_no INTEGER NOT NULL REFERENCES accounts (no),
  author_name TEXT NOT NULL,
  body TEXT NOT NULL,
  pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
  pinned_by TEXT REFERENCES accounts (id),
  pinned_by_name TEXT,
  pinned_at TEXT,
  event_id TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (track_no, id)
) WITHOUT ROWID;
INSERT INTO comments_0027 (track_no, id, author_no, author_name, body, pinned, pinned_by, pinned_by_name, pinned_at, event_id, created_at)
  SELECT t.no, c.id, a.no, c.author_name, c.body, c.pinned, c.pinned_by, c.pinned_by_name, c.pinned_at, c.event_id, c.created_at
  FROM comments c JOIN tracks t ON t.id = c.track_id JOIN accounts a ON a.id = c.author_id;
DROP TABLE comments;
ALTER TABLE comments_0027 RENAME TO comments;

-- The triggers dropped with the old tables (0024: live pushes; 0026: last activity), on the new ones.
CREATE TRIGGER live_comments_insert AFTER INSERT ON comments
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT t.id, '' FROM tracks t
  WHERE t.no = NEW.track_no AND NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = t.id AND account_id = '');
END;

CREATE TRIGGER live_comments_update AFTER UPDATE ON comments
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT t.id, '' FROM tracks t
  WHERE t.no = NEW.track_no AND NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = t.id AND account_id = '');
END;

CREATE TRIGGER live_comments_delete AFTER DELETE ON comments
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT t.id, '' FROM tracks t
  WHERE t.no = OLD.track_no AND NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = t.id AND account_id = '');
END;

CREATE TRIGGER live_history_insert AFTER INSERT ON track_history
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT t.id, '' FROM tracks t
  WHERE t.no = NEW.track_no AND NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = t.id AND account_id = '');
END;

CREATE TRIGGER track_activity_history AFTER INSERT ON track_history WHEN NEW.actor_no IS NOT NULL
BEGIN
  INSERT INTO track_activity (track_id, account_id, last_at)
    SELECT t.id, a.id, NEW.created_at FROM tracks t, accounts a WHERE t.no = NEW.track_no AND a.no = NEW.actor_no
  ON CONFLICT (track_id, account_id) DO UPDATE SET last_at = max(last_at, excluded.last_at);
END;

CREATE TRIGGER track_activity_comments AFTER INSERT ON comments
BEGIN
  INSERT INTO track_activity (track_id, account_id, last_at)
    SELECT t.id, a.id, NEW.created_at FROM tracks t, accounts a WHERE t.no = NEW.track_no AND a.no = NEW.author_no
  ON CONFLICT (track_id, account_id) DO UPDATE SET last_at = max(last_at, excluded.last_at);
END;
