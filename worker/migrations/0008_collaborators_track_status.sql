-- The library counts each track's active/invited collaborators. With only (track_id, account_id) SQLite read every
-- collaborator row of the track to check its status (the load bench saw library pages fall to 7–11% of /health
-- with 300 collaborators per track); (track_id, status) lets it count from the index alone.
CREATE INDEX collaborators_track_status ON collaborators (track_id, status);
