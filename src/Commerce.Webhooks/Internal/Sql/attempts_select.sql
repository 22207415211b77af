-- The attempt log of one message, oldest first.
select attempt, attempted_at, status_code, duration_ms, response_excerpt, error
  from {schema}.attempts
 where outbox_id = @id
 order by id
