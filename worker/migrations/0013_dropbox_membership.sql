-- Issue 9 (items 1, 3, 5): what Dropbox itself says about a collaborator, next to what PD says, so both can be
-- shown truthfully. Owned by the Dropbox membership work (0013, 0014).

-- Dropbox's side of a collaborator's membership:
--   'invited'  Dropbox has sent the folder invitation; nothing is in their Dropbox until they accept there
--              (or PD mounts it with their token after they accept in PD)
--   'member'   the folder is in their Dropbox (they accepted / PD mounted it / found as a member)
--   'refused'  Dropbox refused to add them (e.g. view-only on Dropbox Basic): they are not in the folder
--   NULL       not known yet (records from before this column, or Dropbox not consulted)
ALTER TABLE collaborators ADD COLUMN dropbox_state TEXT;
-- The access level Dropbox really gives when it refused PD's (Dropbox Basic keeps an Editor): shown as the truth.
-- NULL when Dropbox agrees with PD.
ALTER TABLE collaborators ADD COLUMN dropbox_access_level TEXT;
-- The Dropbox group through which the person (also) has access to the track's folder, when known. Dropbox keeps
-- that access whatever PD does to the person's own membership.
ALTER TABLE collaborators ADD COLUMN dropbox_group TEXT;

-- users/get_current_account's account_type ('basic' | 'pro' | 'business'), read at sign-in: Dropbox Basic cannot
-- make anyone view-only, and PD says so before the owner tries.
ALTER TABLE accounts ADD COLUMN dropbox_account_type TEXT;
