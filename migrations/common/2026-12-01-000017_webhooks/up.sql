-- Webhooks for integrators (Standard Webhooks 1.0): subscriptions, the transactional outbox of
-- events, and one delivery row per attempt of an event to a webhook.

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    url TEXT NOT NULL,
    -- A JSON array of event types.
    event_types TEXT NOT NULL,
    description TEXT,
    active BOOLEAN NOT NULL,
    -- `whsec_` + base64 of 32 random bytes; the HMAC key is the decoded bytes.
    secret TEXT NOT NULL,
    -- After a rotation, the secret before it stays valid (deliveries carry both signatures)
    -- until `previous_secret_expires_at`.
    previous_secret TEXT,
    previous_secret_expires_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_practice_idx ON webhooks (practice_id, created_at, id);

-- The outbox: written in the same transaction as the change it reports.
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    event_type TEXT NOT NULL,
    -- The exact body sent on every attempt: {"type", "timestamp", "data": {ids only}}.
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_events_practice_idx ON webhook_events (practice_id);

-- One row per attempt. A pending row waits for `next_attempt_at`; a worker claims it by setting
-- `claimed_by` and a lease `claimed_until` (an expired lease may be claimed again, so a crashed
-- instance's work resumes). A failed attempt is finished with its status code or error and, while
-- attempts remain, followed by a new pending row for the next attempt.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    webhook_id TEXT NOT NULL REFERENCES webhooks(id),
    event_id TEXT NOT NULL REFERENCES webhook_events(id),
    event_type TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    status_code INTEGER,
    error TEXT,
    next_attempt_at TIMESTAMP,
    delivered_at TIMESTAMP,
    claimed_until TIMESTAMP,
    claimed_by TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at, id);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_practice_idx ON webhook_deliveries (practice_id);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
