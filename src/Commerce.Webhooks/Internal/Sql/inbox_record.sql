-- Records the outcome of processed messages, fenced by the claim token: a processor that lost its lease writes nothing.
-- An outcome is processed, retry at next_attempt_at, or dead. Returns the rows written.
update {schema}.inbox i
   set status = o.status,
       processed_at = case when o.status = 'processed' then @now else null end,
       next_attempt_at = coalesce(o.next_attempt_at, i.next_attempt_at),
       last_error = o.error,
       locked_until = null,
       claim_token = null
  from unnest(@ids::bigint[], @tokens::uuid[], @statuses::text[], @next_attempts::timestamptz[], @errors::text[])
       as o(id, token, status, next_attempt_at, error)
 where i.id = o.id and i.claim_token = o.token and i.status = 'pending'
returning i.id
