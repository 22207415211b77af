-- Stores a message for one endpoint, once per (endpoint, message id); nothing when the endpoint does not exist (so
-- an application's own transaction is not aborted by a foreign-key error). Returns the new row's id, if any.
insert into {schema}.outbox (endpoint_id, message_id, type, path, body, created_at, next_attempt_at)
select @endpoint, @message_id, @type, @path, @body, @now, @now
 where exists (select 1 from {schema}.endpoints where id = @endpoint)
    on conflict (endpoint_id, message_id) do nothing
returning id
