-- A silence mutes the alerts its matchers select between two instants.
-- matchers holds a JSON array such as [{"name":"team","value":"storage"}].
-- +goose Up
CREATE TABLE silences (
    id         TEXT PRIMARY KEY,
    matchers   TEXT NOT NULL,
    created_by TEXT NOT NULL,
    comment    TEXT,
    starts_at  TIMESTAMP NOT NULL,
    ends_at    TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX silences_ends_at_idx ON silences (ends_at);

-- +goose Down
DROP INDEX silences_ends_at_idx;
DROP TABLE silences;
