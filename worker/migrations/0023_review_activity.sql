-- Issue 12 item 3: the stale-access review reads each collaborator's last comment and last edit on each track
-- (one indexed probe per record instead of a walk over the track's comments and history).
CREATE INDEX comments_track_author ON comments (track_id, author_id, created_at);
CREATE INDEX track_history_track_actor ON track_history (track_id, actor_id, created_at);
CREATE INDEX sessions_account_used ON sessions (account_id, last_used_at);
