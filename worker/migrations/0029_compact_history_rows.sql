-- Issue 10, part 5 (storage that lasts), fifth step: history rows hold their kind as a small number, their time as
-- milliseconds, and an upload group's files as plain lines instead of JSON (~3.4 KB of a typical track's 49 rows).
-- The API is unchanged: reads turn them back into the kind's name, the ISO time and the files
-- (src/domain/history.ts: HISTORY_COLUMNS, parseUploads).

-- Kinds by number. Every kind PD has written; any other kind found in the table is added after them, so no row is
-- lost. New kinds are added here by later migrations (test/core/migration-0029.test.ts checks every kind the code
-- writes has a number).
CREATE TABLE history_kinds (
  code INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
INSERT INTO history_kinds (code, name) VALUES
  (1, 'file_uploads'), (2, 'track_created'), (3, 'metadata_changed'), (4, 'tags_changed'), (5, 'splits_changed'),
  (6, 'archived'), (7, 'unarchived'), (8, 'file_uploaded'), (9, 'collaborator_invited'), (10, 'collaborator_joined'),
  (11, 'invitation_declined'), (12, 'invitation_cancelled'), (13, 'access_revoked'), (14, 'collaborator_left'),
  (15, 'access_level_changed'), (16, 'comment_pinned'), (17, 'comment_unpinned'), (18, 'access_expiry_set'),
  (19, 'access_expiry_removed'), (20, 'heads_up_sent'), (21, 'heads_up_cancelled'), (22, 'access_expired'),
  (23, 'dropbox_change_moot'), (24, 'access_ended_in_dropbox'), (25, 'role_changed');
INSERT OR IGNORE INTO history_kinds (name) SELECT DISTINCT kind FROM track_history;

-- Same rows and ids (AUTOINCREMENT carries on above them).
--   kind:       the number of its name in history_kinds.
--   created_at: milliseconds since 1970 (the ISO text was 24 bytes; this is 6).
--   details:    unchanged JSON, except an upload group ('file_uploads'): one line per file, in order, joined by a
--               newline, each `path TAB rev TAB size` (rev and size empty where Dropbox did not say). In the path a
--               backslash is written \\, a tab \t and a newline \n, so the only raw tabs and newlines are the
--               separators and the number of files is the number of newlines + 1.
CREATE TABLE track_history_0029 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  track_no INTEGER NOT NULL REFERENCES tracks (no),
  kind INTEGER NOT NULL REFERENCES history_kinds (code),
  actor_no INTEGER REFERENCES accounts (no),
  actor_name TEXT NOT NULL,
  via TEXT NOT NULL CHECK (via IN ('app', 'dropbox')),
  collaborator_id TEXT REFERENCES collaborators (id),
  details TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL
);
INSERT INTO track_history_0029 (id, track_no, kind, actor_no, actor_name, via, collaborator_id, details, created_at)
  SELECT h.id, h.track_no, k.code, h.actor_no, h.actor_name, h.via, h.collaborator_id,
    CASE WHEN h.kind = 'file_uploads' THEN (
      SELECT group_concat(
               replace(replace(replace(f.value ->> 0, '\', '\\'), char(9), '\t'), char(10), '\n')
               || char(9) || coalesce(f.value ->> 1, '') || char(9) || coalesce(f.value ->> 2, ''),
               char(10) ORDER BY f.key)
      FROM json_each(h.details) f)
    ELSE h.details END,
    CAST(round((julianday(h.created_at) - 2440587.5) * 86400000) AS INTEGER)
  FROM track_history h JOIN history_kinds k ON k.name = h.kind
  ORDER BY h.id;
DROP TABLE track_history;
ALTER TABLE track_history_0029 RENAME TO track_history;
CREATE INDEX track_history_track ON track_history (track_no, id);

-- The triggers dropped with the old table (0024: live pushes; 0026/0027: last activity, which keeps ISO text).
CREATE TRIGGER live_history_insert AFTER INSERT ON track_history
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT t.id, '' FROM tracks t
  WHERE t.no = NEW.track_no AND NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = t.id AND account_id = '');
END;

CREATE TRIGGER track_activity_history AFTER INSERT ON track_history WHEN NEW.actor_no IS NOT NULL
BEGIN
  INSERT INTO track_activity (track_id, account_id, last_at)
    SELECT t.id, a.id, strftime('%Y-%m-%dT%H:%M:%fZ', NEW.created_at / 1000.0, 'unixepoch')
    FROM tracks t, accounts a WHERE t.no = NEW.track_no AND a.no = NEW.actor_no
  ON CONFLICT (track_id, account_id) DO UPDATE SET last_at = max(last_at, excluded.last_at);
END;

-- Mounts: WITHOUT ROWID, so the (account, folder) key is the table itself rather than an index beside it.
CREATE TABLE dropbox_mounts_0029 (
  account_id TEXT NOT NULL,
  shared_folder_id TEXT NOT NULL,
  path_lower TEXT NOT NULL,
  PRIMARY KEY (account_id, shared_folder_id)
) WITHOUT ROWID;
INSERT INTO dropbox_mounts_0029 (account_id, shared_folder_id, path_lower)
  SELECT account_id, shared_folder_id, path_lower FROM dropbox_mounts;
DROP TABLE dropbox_mounts;
ALTER TABLE dropbox_mounts_0029 RENAME TO dropbox_mounts;
CREATE INDEX dropbox_mounts_by_path ON dropbox_mounts (account_id, path_lower);

-- Indexes another one already serves: (track_id, email_lower) is unique and starts with track_id, and a track has a
-- handful of collaborators; (owner_id, dropbox_folder_id) starts with owner_id; nothing reads checks by checked_at
-- (the sweep walks due_at).
DROP INDEX collaborators_track_status;
DROP INDEX tracks_owner;
DROP INDEX dropbox_membership_checks_due;
