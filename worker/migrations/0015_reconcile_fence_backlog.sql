-- Reconciliation at any size, fenced by its lease (issue 10 items 1–2, issue 14 item 1).

-- Fencing: every batch a walk writes starts with `UPDATE dropbox_account_sync SET fence = <its holder>`. The
-- trigger aborts that batch (D1 rolls the whole batch back) unless the writer still holds the lease, so a walk
-- slower than its lease can never move another walk's cursor backwards or write what it read under an old cursor.
ALTER TABLE dropbox_account_sync ADD COLUMN fence TEXT;
CREATE TRIGGER dropbox_account_sync_fence BEFORE UPDATE OF fence ON dropbox_account_sync
WHEN NEW.fence IS NOT OLD.lease_holder OR OLD.lease_holder IS NULL
BEGIN
  SELECT RAISE(ABORT, 'reconcile_lease_lost');
END;

-- A new baseline cursor (first reconcile, or after a reset) hides what happened in the account's track folders
-- before it: each mounted track folder is listed once. With thousands of tracks that is thousands of Dropbox
-- calls, so the folders still to list wait here and each queue message lists a bounded number of them.
CREATE TABLE dropbox_baseline_folders (
  account_id TEXT NOT NULL,
  shared_folder_id TEXT NOT NULL,
  PRIMARY KEY (account_id, shared_folder_id)
);

