-- Issue 11 items 3 and 4: honest departure labels, and the owner's track found again after an unshare in Dropbox.
--
-- collaborators.ended_evidence: what PD knows about how someone's access ended, recorded with the ending:
--   'pd_revoke'           the owner revoked through PD
--   'pd_leave'            they left through PD
--   'dropbox_members'     they were no longer in the owner's Dropbox member list; Dropbox does not say who removed them
--   'dropbox_own_folder'  the shared folder left their own Dropbox (and the member list, or their own token, agrees);
--                         Dropbox does not say whether they left or were removed
--   'dropbox_unshared'    the folder was unshared in Dropbox
-- NULL for endings recorded before this migration (they keep rendering from status and ended_via).
ALTER TABLE collaborators ADD COLUMN ended_evidence TEXT;

-- tracks.dropbox_folder_id: the owner's Dropbox folder id (files/get_metadata `id`), learned when the owner looks the
-- folder up. Unsharing in Dropbox leaves the owner a plain folder with the same id: the owner still finds the track.
ALTER TABLE tracks ADD COLUMN dropbox_folder_id TEXT;
CREATE INDEX tracks_owner_folder ON tracks (owner_id, dropbox_folder_id);
