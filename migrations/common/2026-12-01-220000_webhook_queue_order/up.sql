-- The delivery queue keeps each webhook's events in order: the worker claims, per webhook, the
-- due attempt of its earliest event (event ids are UUIDv7) and only while none of the webhook's
-- attempts is in flight. This index finds both without reading the webhook's delivered history.
CREATE INDEX webhook_deliveries_queue_idx ON webhook_deliveries (webhook_id, status, event_id);
