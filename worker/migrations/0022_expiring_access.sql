-- Issue 12: expiring access and heads-ups. An end of access scheduled on a collaborator record: when
-- access_expires_at passes, the cron revokes exactly as a manual revoke does (the same plan). A heads-up is the same
-- schedule with a note, told to the collaborator at once.
ALTER TABLE collaborators ADD COLUMN access_expires_at TEXT;              -- ISO-8601 UTC (toISOString); NULL = no end
ALTER TABLE collaborators ADD COLUMN expiry_heads_up INTEGER NOT NULL DEFAULT 0 CHECK (expiry_heads_up IN (0, 1));
ALTER TABLE collaborators ADD COLUMN expiry_note TEXT;                    -- the heads-up's note (sanitised, ≤ 1,000)
ALTER TABLE collaborators ADD COLUMN expiry_set_at TEXT;
-- Reminders already sent for the current schedule: bit 1 = "3 days before", bit 2 = "1 day before".
ALTER TABLE collaborators ADD COLUMN expiry_reminded INTEGER NOT NULL DEFAULT 0;
-- When a schedule ended the access: 'expiry' or 'heads_up' (NULL for every other end).
ALTER TABLE collaborators ADD COLUMN ended_by_schedule TEXT;
-- The cron finds due schedules and due reminders without reading the table (ended records drop out of the index).
CREATE INDEX collaborators_access_expires ON collaborators (access_expires_at)
  WHERE access_expires_at IS NOT NULL AND status IN ('active', 'invited');

-- A schedule belongs to one period of access: whenever a record comes back (re-invited, or found again as a Dropbox
-- member after its access ended), whatever was scheduled for the old period is gone. A re-invite that sets a new
-- expiry writes it after this, in the same batch.
CREATE TRIGGER collaborators_schedule_reset AFTER UPDATE OF status ON collaborators
WHEN NEW.status IN ('active', 'invited') AND OLD.status NOT IN ('active', 'invited')
BEGIN
  UPDATE collaborators SET access_expires_at = NULL, expiry_heads_up = 0, expiry_note = NULL, expiry_set_at = NULL,
    expiry_reminded = 0, ended_by_schedule = NULL
  WHERE id = NEW.id;
END;

-- What a notification says beyond its kind (JSON): a heads-up's note and when access ends, an expiry date, a digest's
-- counts. NULL for the kinds that need nothing more.
ALTER TABLE notifications ADD COLUMN notice TEXT;

-- Per owner: the stale-access review's idle threshold and when the weekly digest is next due. A row exists for every
-- owner of a track (trigger below), so the cron claims due owners from an index, never from a scan.
CREATE TABLE owner_review (
  owner_id TEXT PRIMARY KEY REFERENCES accounts (id),
  idle_days INTEGER NOT NULL DEFAULT 30 CHECK (idle_days BETWEEN 1 AND 365),
  next_digest_at TEXT NOT NULL DEFAULT '',   -- ISO; '' = due now
  last_digest_at TEXT,
  digest_event TEXT                          -- stamp of the cron tick that claimed this owner's digest
);
CREATE INDEX owner_review_due ON owner_review (next_digest_at);
INSERT OR IGNORE INTO owner_review (owner_id) SELECT DISTINCT owner_id FROM tracks;
CREATE TRIGGER owner_review_for_new_owner AFTER INSERT ON tracks
BEGIN
  INSERT OR IGNORE INTO owner_review (owner_id) VALUES (NEW.owner_id);
END;
