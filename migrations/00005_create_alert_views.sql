-- Read-side views for dashboards. Each direction is one
-- StatementBegin/StatementEnd block: the two views are sent to the database
-- as a single multi-statement string, so they appear (or vanish) together.
-- +goose Up
-- +goose StatementBegin
CREATE VIEW active_alerts AS
    SELECT a.fingerprint, a.alertname, a.severity, a.summary, a.starts_at
    FROM alerts a
    WHERE a.status = 'firing'
      AND NOT EXISTS (
          SELECT 1 FROM silences s
          WHERE s.starts_at <= CURRENT_TIMESTAMP
            AND s.ends_at > CURRENT_TIMESTAMP
            AND s.matchers LIKE '%"value":"' || a.alertname || '"%');
CREATE VIEW failed_notifications AS
    SELECT n.fingerprint, a.alertname, n.receiver, n.sent_at, n.error
    FROM notifications n
    JOIN alerts a ON a.fingerprint = n.fingerprint
    WHERE n.status = 'failed';
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DROP VIEW failed_notifications;
DROP VIEW active_alerts;
-- +goose StatementEnd
