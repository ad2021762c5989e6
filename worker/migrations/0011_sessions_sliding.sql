-- Sessions (issue 8): sliding expiry with an absolute cap, and a second secret that can only end the session.
-- expires_at is now the idle expiry (moved forward when the session is used, at most once an hour);
-- absolute_expires_at is the cap no use can move; uninstall_hash is the SHA-256 of the uninstall token the
-- extension registers as its uninstall URL. Sessions from before this migration keep their fixed expiry as cap.
ALTER TABLE sessions ADD COLUMN last_used_at TEXT;
ALTER TABLE sessions ADD COLUMN absolute_expires_at TEXT;
ALTER TABLE sessions ADD COLUMN uninstall_hash TEXT;
UPDATE sessions SET last_used_at = created_at, absolute_expires_at = expires_at;
CREATE UNIQUE INDEX sessions_uninstall ON sessions (uninstall_hash);
