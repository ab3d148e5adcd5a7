-- Every delivery attempt of an alert to a receiver (mail, chat, pager).
-- +goose Up
CREATE TABLE notifications (
    fingerprint TEXT NOT NULL REFERENCES alerts (fingerprint) ON DELETE CASCADE,
    receiver    TEXT NOT NULL,
    sent_at     TIMESTAMP NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
    error       TEXT,
    PRIMARY KEY (fingerprint, receiver, sent_at)
);

-- +goose Down
DROP TABLE notifications;
