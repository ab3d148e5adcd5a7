-- Indexes for the retention job, which deletes old resolved alerts and old
-- notifications. Building an index on a big, busy table should not hold a
-- transaction open, so this migration runs outside one. Each statement is
-- idempotent (IF NOT EXISTS / IF EXISTS): if the run stops half-way there is
-- no version row yet, and the next `up` simply runs the whole file again.
-- On PostgreSQL a production variant would say CREATE INDEX CONCURRENTLY,
-- which is only allowed outside a transaction; SQLite has no such keyword,
-- so this portable example uses a plain CREATE INDEX.
-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX IF NOT EXISTS alerts_ends_at_idx ON alerts (ends_at);
CREATE INDEX IF NOT EXISTS notifications_sent_at_idx ON notifications (sent_at);

-- +goose Down
DROP INDEX IF EXISTS notifications_sent_at_idx;
DROP INDEX IF EXISTS alerts_ends_at_idx;
