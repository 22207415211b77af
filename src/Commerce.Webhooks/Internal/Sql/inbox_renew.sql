-- Extends the lease of the messages a processor still holds, each under its claim token; returns those it still holds
-- (a message whose lease was taken over by another processor is missing, and its handler is told to stop).
update {schema}.inbox i
   set locked_until = @lease_until
  from unnest(@ids::bigint[], @tokens::uuid[]) as h(id, token)
 where i.id = h.id and i.claim_token = h.token and i.status = 'pending'
returning i.id
