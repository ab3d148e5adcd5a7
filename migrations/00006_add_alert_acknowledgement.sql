-- Who took care of an alert, and when.
-- +goose Up
ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT;
ALTER TABLE alerts ADD COLUMN acknowledged_at TIMESTAMP;

-- +goose Down
-- DROP COLUMN needs SQLite 3.35 or later (Gander requires it anyway).
ALTER TABLE alerts DROP COLUMN acknowledged_at;
ALTER TABLE alerts DROP COLUMN acknowledged_by;
