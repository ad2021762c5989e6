-- Issue 10, part 4: the owner-side sweep checks each track when it is due, and how soon depends on whether the
-- track needs it (src/jobs/cron.ts, nextCheckStatement): a track with someone no webhook speaks for (a member or
-- invitee who is not a PD user with Dropbox linked), recent activity, or not yet released is due again after
-- SWEEP_WINDOW_MINUTES; any other track's removals reach PD through the removed member's own webhook, so its check
-- (for what no webhook shows: downgrades, members added in Dropbox) comes every QUIET_TRACK_CHECK_MINUTES. New and
-- imported tracks are due at once (0).
ALTER TABLE dropbox_membership_checks ADD COLUMN due_at INTEGER NOT NULL DEFAULT 0;
UPDATE dropbox_membership_checks SET due_at = checked_at;
CREATE INDEX dropbox_membership_checks_by_due ON dropbox_membership_checks (due_at);
