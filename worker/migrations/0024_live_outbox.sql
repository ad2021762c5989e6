-- Issue 11 item 1 (live panels): every commit that changes what someone sees for a track leaves a row here, written
-- by triggers in the same statement (so no writer — API, webhook reconciliation, queue, cron — can forget it).
-- After each invocation the worker drains the outbox (worker/src/live/publish.ts) and pokes the Durable Object of
-- every affected account, which pushes {trackId, cursor} to that person's open panels and popups.
-- account_id '' means "everyone on the track" (owner, current and recently ended collaborators); otherwise only
-- that account (a notification, a change in their library). Rows are deduplicated by the triggers, so a Revoke All
-- of 10,000 writes one row per track, not one per statement.
-- NOTE for later migrations: rebuilding one of these tables (CREATE new / DROP / RENAME) drops its triggers here;
-- re-create them after the rebuild.
CREATE TABLE live_outbox (
  id INTEGER PRIMARY KEY,
  track_id TEXT NOT NULL,
  account_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX live_outbox_key ON live_outbox (track_id, account_id);

CREATE TRIGGER live_tracks_insert AFTER INSERT ON tracks
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.id, ''
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.id AND account_id = '');
END;

-- Only when something changed (an UPDATE writing the same values is not a change anyone could see).
CREATE TRIGGER live_tracks_update AFTER UPDATE ON tracks
WHEN (NEW.owner_id, NEW.dropbox_shared_folder_id, NEW.title, NEW.stage, NEW.bpm, NEW.musical_key, NEW.tags, NEW.archived,
      NEW.owner_master_bp, NEW.owner_publishing_bp, NEW.owner_writer_bp, NEW.event_id, NEW.updated_at)
  IS NOT (OLD.owner_id, OLD.dropbox_shared_folder_id, OLD.title, OLD.stage, OLD.bpm, OLD.musical_key, OLD.tags, OLD.archived,
      OLD.owner_master_bp, OLD.owner_publishing_bp, OLD.owner_writer_bp, OLD.event_id, OLD.updated_at)
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.id, ''
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.id AND account_id = '');
END;

CREATE TRIGGER live_collaborators_insert AFTER INSERT ON collaborators
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.track_id, ''
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.track_id AND account_id = '');
END;

CREATE TRIGGER live_collaborators_update AFTER UPDATE ON collaborators
WHEN (NEW.account_id, NEW.email_lower, NEW.display_name, NEW.role, NEW.access_level, NEW.master_bp, NEW.publishing_bp,
      NEW.writer_bp, NEW.status, NEW.ended_at, NEW.ended_via, NEW.event_id, NEW.updated_at, NEW.dropbox_state,
      NEW.dropbox_access_level, NEW.dropbox_group)
  IS NOT (OLD.account_id, OLD.email_lower, OLD.display_name, OLD.role, OLD.access_level, OLD.master_bp, OLD.publishing_bp,
      OLD.writer_bp, OLD.status, OLD.ended_at, OLD.ended_via, OLD.event_id, OLD.updated_at, OLD.dropbox_state,
      OLD.dropbox_access_level, OLD.dropbox_group)
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.track_id, ''
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.track_id AND account_id = '');
  -- The person whose row this is hears it even if they are no longer "recent" on the track (e.g. a late Dropbox read).
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.track_id, NEW.account_id
  WHERE NEW.account_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.track_id AND account_id = NEW.account_id);
END;

CREATE TRIGGER live_comments_insert AFTER INSERT ON comments
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.track_id, ''
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.track_id AND account_id = '');
END;

CREATE TRIGGER live_comments_update AFTER UPDATE ON comments
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.track_id, ''
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.track_id AND account_id = '');
END;

CREATE TRIGGER live_comments_delete AFTER DELETE ON comments
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT OLD.track_id, ''
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = OLD.track_id AND account_id = '');
END;

CREATE TRIGGER live_history_insert AFTER INSERT ON track_history
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.track_id, ''
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.track_id AND account_id = '');
END;

CREATE TRIGGER live_dropbox_changes_insert AFTER INSERT ON dropbox_changes
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.track_id, ''
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.track_id AND account_id = '');
END;

-- A Dropbox change starting, finishing or failing (not a claim or a rescheduled attempt: nobody sees those).
CREATE TRIGGER live_dropbox_changes_update AFTER UPDATE ON dropbox_changes
WHEN (NEW.status, NEW.last_error) IS NOT (OLD.status, OLD.last_error)
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.track_id, ''
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.track_id AND account_id = '');
END;

CREATE TRIGGER live_invitations_insert AFTER INSERT ON invitations
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.track_id, ''
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.track_id AND account_id = '');
END;

CREATE TRIGGER live_invitations_update AFTER UPDATE ON invitations
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.track_id, ''
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.track_id AND account_id = '');
END;

CREATE TRIGGER live_notifications_insert AFTER INSERT ON notifications
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.track_id, NEW.recipient_id
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.track_id AND account_id = NEW.recipient_id);
END;

CREATE TRIGGER live_library_changes_insert AFTER INSERT ON library_changes
BEGIN
  INSERT INTO live_outbox (track_id, account_id) SELECT NEW.track_id, NEW.account_id
  WHERE NOT EXISTS (SELECT 1 FROM live_outbox WHERE track_id = NEW.track_id AND account_id = NEW.account_id);
END;
