-- Issue 10: nothing stuck, Dropbox paced per account.

-- A change's completion is fenced by its claim: each claim writes a fresh claim_id, and only the executor holding
-- it may move the row out of 'running' (a slow executor whose run lease ran out can no longer overwrite the
-- outcome of the executor that took the change over).
ALTER TABLE dropbox_changes ADD COLUMN claim_id TEXT;
-- 429s this change met, counted apart from attempts: being told "later" by Dropbox never uses up an attempt.
ALTER TABLE dropbox_changes ADD COLUMN rate_limited INTEGER NOT NULL DEFAULT 0;

-- A walk that failed is retried by the cron with backoff (never forgotten): failures since the last completed
-- walk, and when the cron may queue the next try (ms). Sign-in sets walk_retry_at as the first walk's backup.
ALTER TABLE dropbox_account_sync ADD COLUMN walk_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dropbox_account_sync ADD COLUMN walk_retry_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX dropbox_account_sync_due ON dropbox_account_sync (walk_retry_at) WHERE notified_at > last_started_at;

-- Per Dropbox account token bucket (one row per PD account whose token calls Dropbox): every Dropbox call takes
-- a token first; a 429 stops the whole account until throttled_until. Counters for the operator.
CREATE TABLE dropbox_pace (
  account_id TEXT PRIMARY KEY,
  tokens REAL NOT NULL,
  refilled_at INTEGER NOT NULL,             -- ms
  throttled_until INTEGER NOT NULL DEFAULT 0, -- ms: Dropbox said Retry-After
  calls INTEGER NOT NULL DEFAULT 0,
  rate_limited INTEGER NOT NULL DEFAULT 0   -- 429s received (not failures)
);

-- Messages the JOBS queue gave up on (its dead-letter queue's consumer writes them here). Surfaced by /health;
-- what can be redone is redone (a reconcile goes back to the cron's backoff, a change back to pending).
CREATE TABLE dead_jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  subject TEXT,                             -- dropbox account id / change id / track id
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  dead_at INTEGER NOT NULL,                 -- ms
  recovery TEXT                             -- what was done about it ('requeued by cron', 'change back to pending', …)
);
CREATE INDEX dead_jobs_by_time ON dead_jobs (dead_at);
