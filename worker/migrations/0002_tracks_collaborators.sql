-- Tracks and everyone who has ever been on them.
-- Splits are stored in basis points (1/100 of a percent, 0..10000) so totals add up exactly.
CREATE TABLE tracks (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES accounts (id),
  dropbox_shared_folder_id TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  stage TEXT NOT NULL DEFAULT 'idea'
    CHECK (stage IN ('idea', 'writing', 'production', 'mixing', 'mastering', 'released')),
  bpm REAL,
  musical_key TEXT,
  tags TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
  archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
  owner_master_bp INTEGER NOT NULL DEFAULT 10000 CHECK (owner_master_bp BETWEEN 0 AND 10000),
  owner_publishing_bp INTEGER NOT NULL DEFAULT 10000 CHECK (owner_publishing_bp BETWEEN 0 AND 10000),
  owner_writer_bp INTEGER NOT NULL DEFAULT 10000 CHECK (owner_writer_bp BETWEEN 0 AND 10000),
  -- Stamped by every change; the other statements of the same batch only act if the stamp is theirs.
  event_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX tracks_owner ON tracks (owner_id);

-- A collaborator record is never deleted: after revoke/leave it stays for credits (name, role, splits).
-- One record per (track, e-mail); sharing again re-activates the same record.
CREATE TABLE collaborators (
  id TEXT PRIMARY KEY,
  track_id TEXT NOT NULL REFERENCES tracks (id),
  account_id TEXT REFERENCES accounts (id), -- set on acceptance (or when found as a Dropbox member)
  email TEXT NOT NULL,
  email_lower TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT, -- creative role: producer, vocalist, engineer, writer, ...
  access_level TEXT NOT NULL CHECK (access_level IN ('editor', 'viewer')),
  master_bp INTEGER NOT NULL DEFAULT 0 CHECK (master_bp BETWEEN 0 AND 10000),
  publishing_bp INTEGER NOT NULL DEFAULT 0 CHECK (publishing_bp BETWEEN 0 AND 10000),
  writer_bp INTEGER NOT NULL DEFAULT 0 CHECK (writer_bp BETWEEN 0 AND 10000),
  status TEXT NOT NULL CHECK (status IN ('invited', 'active', 'revoked', 'left', 'declined')),
  previous_status TEXT, -- status before the last transition (tells a revoked invitation from revoked access)
  invited_at TEXT NOT NULL,
  invited_by TEXT REFERENCES accounts (id),
  joined_at TEXT,
  ended_at TEXT,
  ended_by TEXT REFERENCES accounts (id),
  ended_via TEXT CHECK (ended_via IN ('app', 'dropbox')),
  -- Stamped by the conditional UPDATE of every status change: dependent INSERTs of the same batch
  -- run only if their event's stamp is here, which makes repeats and races produce one effect.
  event_id TEXT,
  updated_at TEXT NOT NULL,
  UNIQUE (track_id, email_lower)
);
CREATE UNIQUE INDEX collaborators_track_account ON collaborators (track_id, account_id) WHERE account_id IS NOT NULL;
CREATE INDEX collaborators_account ON collaborators (account_id, status);
CREATE INDEX collaborators_email ON collaborators (email_lower, status);
CREATE INDEX collaborators_event ON collaborators (event_id);

CREATE TABLE invitations (
  id TEXT PRIMARY KEY,
  track_id TEXT NOT NULL REFERENCES tracks (id),
  collaborator_id TEXT NOT NULL REFERENCES collaborators (id),
  email TEXT NOT NULL,
  email_lower TEXT NOT NULL,
  access_level TEXT NOT NULL CHECK (access_level IN ('editor', 'viewer')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled')),
  invited_by TEXT NOT NULL REFERENCES accounts (id),
  event_id TEXT,
  created_at TEXT NOT NULL,
  responded_at TEXT
);
CREATE INDEX invitations_email ON invitations (email_lower, status);
CREATE INDEX invitations_collaborator ON invitations (collaborator_id, status);
