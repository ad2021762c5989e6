-- Issue 10, retention: read notifications expire (NOTIFICATION_RETENTION_DAYS in src/jobs/retention.ts); this index
-- lets the cron find the oldest read ones without reading the table.
CREATE INDEX notifications_read_at ON notifications (read_at) WHERE read_at IS NOT NULL;
