-- Claims up to @limit due messages for one processor under one claim token until @lease_until. A message already
-- claimed @max_attempts times without an outcome (its processor died each time, for example killed mid-handler) is
-- parked dead here instead of being run again. Messages of a batch handler running as many batches as it may at once
-- (@skip_types / @skip_sources: its type, '*' for every type, and its source, null for any) stay for a later claim.
with due as (
    select id from {schema}.inbox q
     where status = 'pending' and next_attempt_at <= @now and (locked_until is null or locked_until <= @now)
       and not exists (select 1 from unnest(@skip_types::text[], @skip_sources::text[]) s(type, source)
                        where (s.type = '*' or s.type = q.type) and (s.source is null or s.source = q.source))
     order by next_attempt_at, id
     limit @limit
       for update skip locked),
claimed as (
    update {schema}.inbox i
       set attempts = case when i.attempts >= @max_attempts then i.attempts else i.attempts + 1 end,
           status = case when i.attempts >= @max_attempts then 'dead' else 'pending' end,
           locked_until = case when i.attempts >= @max_attempts then null else @lease_until end,
           claim_token = case when i.attempts >= @max_attempts then null else @token end,
           last_error = case when i.attempts >= @max_attempts
               then format('Claimed %s times without an outcome: the process handling it stopped each time (crashed, killed or lost its lease). Last error: %s', i.attempts, coalesce(i.last_error, 'none'))
               else i.last_error end
      from due
     where i.id = due.id
 returning i.id, i.source, i.message_id, i.type, i.event_timestamp, i.received_at, i.attempts, i.body, i.headers, i.status)
select id, source, message_id, type, event_timestamp, received_at, attempts, body, headers, status
  from claimed
 order by id
