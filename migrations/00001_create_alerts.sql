-- One row per alert, keyed by the Alertmanager fingerprint, so that a
-- re-sent alert updates its row instead of adding a new one.
-- +goose Up
CREATE TABLE alerts (
    fingerprint TEXT PRIMARY KEY,
    alertname   TEXT NOT NULL,
    severity    TEXT NOT NULL DEFAULT 'warning'
                CHECK (severity IN ('critical', 'warning', 'info')),
    status      TEXT NOT NULL DEFAULT 'firing'
                CHECK (status IN ('firing', 'resolved')),
    summary     TEXT,
    starts_at   TIMESTAMP NOT NULL,
    ends_at     TIMESTAMP,
    created_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX alerts_status_starts_at_idx ON alerts (status, starts_at);

-- +goose Down
DROP INDEX alerts_status_starts_at_idx;
DROP TABLE alerts;
