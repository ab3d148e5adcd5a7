-- +goose Up
CREATE TABLE first (id INTEGER);

-- +goose Down
DROP TABLE first;
