-- The operator's view of outbox rows; the caller appends one of the typed filters.
select id, endpoint_id, message_id, type, status, attempts, next_attempt_at, last_status, last_error, delivered_at, created_at
  from {schema}.outbox
