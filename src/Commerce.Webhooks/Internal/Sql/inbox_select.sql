-- The operator's view of inbox rows; the caller appends one of the typed filters below.
select id, source, message_id, type, status, attempts, received_at, next_attempt_at, processed_at, last_error
  from {schema}.inbox
