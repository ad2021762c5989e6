-- Dropbox integration state (issue 3). Owned by the Dropbox work; the core schema is 0001..0009.

-- OAuth tokens per PD account, AES-GCM encrypted (base64(iv || ciphertext)); see worker/src/dropbox/crypto.ts.
CREATE TABLE dropbox_tokens (
  account_id TEXT PRIMARY KEY,
  dropbox_account_id TEXT NOT NULL,
  refresh_token TEXT NOT NULL,
  access_token TEXT,
  access_token_expires_at INTEGER,          -- ms since epoch
  needs_reauth INTEGER NOT NULL DEFAULT 0,  -- 1: refresh token rejected, the person must sign in again
  reauth_reason TEXT,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX dropbox_tokens_by_dropbox_account ON dropbox_tokens (dropbox_account_id);

-- Per-account reconciliation state: the list_folder cursor and a lease so only one consumer walks it.
CREATE TABLE dropbox_account_sync (
  account_id TEXT PRIMARY KEY,
  cursor TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,   -- ms; free when < now
  lease_holder TEXT,
  notified_at INTEGER NOT NULL DEFAULT 0,   -- latest notification that found the lease taken
  last_started_at INTEGER NOT NULL DEFAULT 0, -- start of the last completed reconcile
  last_finished_at INTEGER,
  last_error TEXT,
  updated_at INTEGER NOT NULL DEFAULT 0
);

-- Where each shared folder is mounted in each account's tree (deleted list_folder entries carry no id,
-- only a path, so this map is how a vanished path is tied back to a shared folder and a track).
CREATE TABLE dropbox_mounts (
  account_id TEXT NOT NULL,
  shared_folder_id TEXT NOT NULL,
  path_lower TEXT NOT NULL,
  PRIMARY KEY (account_id, shared_folder_id)
);
CREATE INDEX dropbox_mounts_by_path ON dropbox_mounts (account_id, path_lower);

-- File revisions already recorded as uploads: every member's tree shows the same upload, history gets one entry.
CREATE TABLE dropbox_seen_files (
  shared_folder_id TEXT NOT NULL,
  file_key TEXT NOT NULL,                   -- the revision (rev), or id@server_modified without one
  claimed_by TEXT NOT NULL,                 -- the batch that recorded it (guards the history insert)
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (shared_folder_id, file_key)
);

-- Rotating owner-side membership check (owners get no webhook when they change members in Dropbox).
CREATE TABLE dropbox_membership_checks (
  track_id TEXT PRIMARY KEY,
  checked_at INTEGER NOT NULL DEFAULT 0,
  enqueued_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX dropbox_membership_checks_due ON dropbox_membership_checks (checked_at);
-- Every track joins the rotation when it is created (checked_at 0 = first in line).
CREATE TRIGGER dropbox_membership_checks_on_new_track AFTER INSERT ON tracks
BEGIN
  INSERT OR IGNORE INTO dropbox_membership_checks (track_id, checked_at, enqueued_at) VALUES (NEW.id, 0, 0);
END;
