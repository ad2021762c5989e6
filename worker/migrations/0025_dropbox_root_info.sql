-- Issue 9 item 2: Dropbox Business team spaces and paired accounts. users/get_current_account's root_info, read
-- at sign-in (and on first need for accounts signed in before this): a team member's web pages are
-- /work/<team>/<path from the team root>, and their API paths are relative to the team root only when a request
-- carries `Dropbox-API-Path-Root: {".tag":"root","root":<root namespace id>}`.
-- NULL: not read yet (also every account that never signed in).
ALTER TABLE accounts ADD COLUMN dropbox_root_namespace_id TEXT;
ALTER TABLE accounts ADD COLUMN dropbox_home_namespace_id TEXT;
-- The home folder's path under the team root (TeamRootInfo.home_path, e.g. "/Rio Park"); NULL when root = home.
ALTER TABLE accounts ADD COLUMN dropbox_home_path TEXT;
-- FullAccount.team.name when the account is a team member; NULL for a personal account.
ALTER TABLE accounts ADD COLUMN dropbox_team_name TEXT;
-- FullAccount.is_paired: the person also has a personal (or work) Dropbox, which PD is not signed in with.
ALTER TABLE accounts ADD COLUMN dropbox_is_paired INTEGER NOT NULL DEFAULT 0;
