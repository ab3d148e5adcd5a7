-- PostgreSQL flavour of the alerts.updated_at trigger. Apply it after the
-- main set, with its own version table:
--   gander -dir migrations/triggers/postgres -table alerts_trigger_version \
--       postgres "host=/run/postgresql dbname=alerts" up
-- +goose Up
-- The PL/pgSQL bodies hold their own semicolons, so each is one block.
-- +goose StatementBegin
CREATE FUNCTION alerts_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_at = OLD.updated_at THEN
        NEW.updated_at := CURRENT_TIMESTAMP;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER alerts_touch_updated_at
BEFORE UPDATE ON alerts
FOR EACH ROW EXECUTE FUNCTION alerts_touch_updated_at();

-- A firing alert that becomes resolved leaves a trace in notifications,
-- so the history shows when the resolution was seen.
-- +goose StatementBegin
CREATE FUNCTION alerts_log_resolution() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifications (fingerprint, receiver, sent_at, status)
    VALUES (NEW.fingerprint, 'history', CURRENT_TIMESTAMP, 'sent');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER alerts_log_resolution
AFTER UPDATE OF status ON alerts
FOR EACH ROW
WHEN (OLD.status = 'firing' AND NEW.status = 'resolved')
EXECUTE FUNCTION alerts_log_resolution();

-- +goose Down
DROP TRIGGER alerts_log_resolution ON alerts;
DROP FUNCTION alerts_log_resolution();
DROP TRIGGER alerts_touch_updated_at ON alerts;
DROP FUNCTION alerts_touch_updated_at();
