-- Issue 10, part 5 (storage that lasts), second step. Uploads found in Dropbox are stored as one track_history row
-- per (track, uploader) and reconcile batch, kind 'file_uploads' (src/domain/history.ts): no schema change.

-- The stale-access review's "last activity" of a person on a track: one row per (track, person), kept by triggers
-- on every comment and history entry, instead of two indexes with an entry per comment and per history entry
-- (comments_track_author, track_history_track_actor: ~7 KB of a typical track). Same answer: the latest
-- created_at of their comments and history entries on that track.
CREATE TABLE track_activity (
  track_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  last_at TEXT NOT NULL,
  PRIMARY KEY (track_id, account_id)
) WITHOUT ROWID;

INSERT INTO track_activity (track_id, account_id, last_at)
  SELECT track_id, account_id, max(at) FROM (
    SELECT track_id, actor_id AS account_id, created_at AS at FROM track_history WHERE actor_id IS NOT NULL
    UNION ALL
    SELECT track_id, author_id, created_at FROM comments
  )
  GROUP BY track_id, account_id;

CREATE TRIGGER track_activity_history AFTER INSERT ON track_history WHEN NEW.actor_id IS NOT NULL
BEGIN
  INSERT INTO track_activity (track_id, account_id, last_at) VALUES (NEW.track_id, NEW.actor_id, NEW.created_at)
  ON CONFLICT (track_id, account_id) DO UPDATE SET last_at = max(last_at, excluded.last_at);
END;

CREATE TRIGGER track_activity_comments AFTER INSERT ON comments
BEGIN
  INSERT INTO track_activity (track_id, account_id, last_at) VALUES (NEW.track_id, NEW.author_id, NEW.created_at)
  ON CONFLICT (track_id, account_id) DO UPDATE SET last_at = max(last_at, excluded.last_at);
END;

DROP INDEX comments_track_author;
DROP INDEX track_history_track_actor;
