-- A notification keeps the track's title as it was when it was sent. Listing it with the track's current title let
-- someone whose access had ended keep reading the track's metadata (every later rename) through old notifications.
ALTER TABLE notifications ADD COLUMN track_title TEXT;
UPDATE notifications SET track_title = (SELECT title FROM tracks WHERE tracks.id = notifications.track_id);
-- Every INSERT site (the domain's batch plans) gets the title without having to name it.
CREATE TRIGGER notifications_track_title AFTER INSERT ON notifications WHEN NEW.track_title IS NULL
BEGIN
  UPDATE notifications SET track_title = (SELECT title FROM tracks WHERE id = NEW.track_id) WHERE id = NEW.id;
END;
