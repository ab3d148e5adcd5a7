-- How long resolved alerts are kept, per severity, with sensible defaults.
-- +goose Up
CREATE TABLE retention_policies (
    severity  TEXT PRIMARY KEY
              CHECK (severity IN ('critical', 'warning', 'info')),
    keep_days INTEGER NOT NULL CHECK (keep_days > 0)
);
INSERT INTO retention_policies (severity, keep_days) VALUES ('critical', 365);
INSERT INTO retention_policies (severity, keep_days) VALUES ('warning', 90);
INSERT INTO retention_policies (severity, keep_days) VALUES ('info', 30);

-- +goose Down
DROP TABLE retention_policies;
