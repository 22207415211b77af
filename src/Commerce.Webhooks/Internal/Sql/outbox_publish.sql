-- Stores one message for every endpoint that receives its type (an endpoint without event types receives all). A
-- disabled endpoint's copy stays pending until it is enabled, as a message sent to it does: disabling loses nothing.
insert into {schema}.outbox (endpoint_id, message_id, type, path, body, created_at, next_attempt_at)
select e.id, @message_id, @type, null, @body, @now, @now
  from {schema}.endpoints e
 where (e.event_types is null or cardinality(e.event_types) = 0 or @type = any(e.event_types))
    on conflict (endpoint_id, message_id) do nothing
