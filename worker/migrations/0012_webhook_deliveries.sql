-- Signed webhook bodies seen recently (issue 8): a captured notification replayed within the window is answered
-- 200 but queues nothing new while the reconcile it already queued has not started. Rows older than the window
-- are deleted by the receiver itself (indexed by received_at).
CREATE TABLE webhook_deliveries (
  body_hash TEXT PRIMARY KEY,        -- SHA-256 (hex) of the exact signed bytes
  received_at INTEGER NOT NULL       -- ms since epoch of the delivery that queued work
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);
