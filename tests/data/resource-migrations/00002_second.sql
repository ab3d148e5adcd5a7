-- +goose Up
-- +goose StatementBegin
CREATE TABLE second (id INTEGER);
INSERT INTO second VALUES (1);
-- +goose StatementEnd

-- +goose Down
DROP TABLE second;
