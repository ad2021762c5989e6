-- People and their sign-in sessions.
-- accounts.id is PD's own id (acc_...); dropbox_account_id is Dropbox's "dbid:..." id.
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  dropbox_account_id TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL,
  email_lower TEXT NOT NULL,
  display_name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- Invitations are matched to accounts by e-mail.
CREATE INDEX accounts_email ON accounts (email_lower);

-- Only the SHA-256 (hex) of a session token is stored; the token itself is given to the client once.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
