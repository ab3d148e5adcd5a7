-- SQLite flavour of the alerts.updated_at trigger. Apply it after the main
-- set, with its own version table:
--   gander -dir migrations/triggers/sqlite3 -table alerts_trigger_version \
--       sqlite3 ./alerts.db up
-- +goose Up
-- The trigger body holds its own semicolons, so it must be one block.
-- +goose StatementBegin
CREATE TRIGGER alerts_touch_updated_at
AFTER UPDATE ON alerts
FOR EACH ROW
WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE alerts SET updated_at = CURRENT_TIMESTAMP
    WHERE fingerprint = NEW.fingerprint;
END;
-- +goose StatementEnd

-- A firing alert that becomes resolved leaves a trace in notifications,
-- so the history shows when the resolution was seen.
-- +goose StatementBegin
CREATE TRIGGER alerts_log_resolution
AFTER UPDATE OF status ON alerts
FOR EACH ROW
WHEN OLD.status = 'firing' AND NEW.status = 'resolved'
BEGIN
    INSERT INTO notifications (fingerprint, receiver, sent_at, status)
    VALUES (NEW.fingerprint, 'history', CURRENT_TIMESTAMP, 'sent');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER alerts_log_resolution;
DROP TRIGGER alerts_touch_updated_at;
