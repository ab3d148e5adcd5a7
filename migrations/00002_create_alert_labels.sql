-- Labels are name/value pairs; one alert has many.
-- +goose Up
CREATE TABLE alert_labels (
    fingerprint TEXT NOT NULL REFERENCES alerts (fingerprint) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (fingerprint, name)
);
-- "Which alerts carry team=storage?" is the common question.
CREATE INDEX alert_labels_name_value_idx ON alert_labels (name, value);

-- +goose Down
DROP INDEX alert_labels_name_value_idx;
DROP TABLE alert_labels;
