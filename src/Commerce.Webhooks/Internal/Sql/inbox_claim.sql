-- Claims due messages for one processor under one claim token until @lease_until: of the first @limit due, those of
-- batch handlers (@batch_types / @batch_sources: their type, '*' for every type, and source, null for any) and at most
-- @single_limit others (each is one slot's work: no more than the free slots); the rest stay unclaimed, for another
-- instance or a later claim. A message already claimed @max_attempts times without an outcome (its processor died each
-- time, for example killed mid-handler) is parked dead here instead of being run again. Messages of a batch handler
-- running as many batches as it may at once (@skip_types / @skip_sources) stay for a later claim.
with due as (
    select id, type, source, next_attempt_at from {schema}.inbox q
     where status = 'pending' and next_attempt_at <= @now and (locked_until is null or locked_until <= @now)
       and not exists (select 1 from unnest(@skip_types::text[], @skip_sources::text[]) s(type, source)
                        where (s.type = '*' or s.type = q.type) and (s.source is null or s.source = q.source))
     order by next_attempt_at, id
     limit @limit
       for update skip locked),
taken as (
    select id from (
        select d.id, d.batched, row_number() over (partition by d.batched order by d.next_attempt_at, d.id) as n
          from (select d.*, exists (select 1 from unnest(@batch_types::text[], @batch_sources::text[]) b(type, source)
                                     where (b.type = '*' or b.type = d.type) and (b.source is null or b.source = d.source)) as batched
                  from due d) d) t
     where batched or n <= @single_limit),
claimed as (
    update {schema}.inbox i
       set attempts = case when i.attempts >= @max_attempts then i.attempts else i.attempts + 1 end,
           status = case when i.attempts >= @max_attempts then 'dead' else 'pending' end,
           locked_until = case when i.attempts >= @max_attempts then null else @lease_until end,
           claim_token = case when i.attempts >= @max_attempts then null else @token end,
           last_error = case when i.attempts >= @max_attempts
               then format('Claimed %s times without an outcome: the process handling it stopped each time (crashed, killed or lost its lease). Last error: %s', i.attempts, coalesce(i.last_error, 'none'))
               else i.last_error end
      from taken
     where i.id = taken.id
 returning i.id, i.source, i.message_id, i.type, i.event_timestamp, i.received_at, i.attempts, i.body, i.headers, i.status)
select id, source, message_id, type, event_timestamp, received_at, attempts, body, headers, status
  from claimed
 order by id
