-- Claims due messages under one claim token: for each enabled endpoint, its oldest due messages up to its free
-- delivery slots on this instance (@busy_ids/@busy_free; others get @per_endpoint), at most @limit in all. A disabled
-- endpoint's messages stay pending, to be delivered when it is enabled again. @exclude: messages this pass already tried.
with slots as (
    select e.id, coalesce(b.free, @per_endpoint) as free
      from {schema}.endpoints e
      left join unnest(@busy_ids::uuid[], @busy_free::int[]) as b(endpoint_id, free) on b.endpoint_id = e.id
     where e.enabled),
candidates as (
    select c.id
      from slots s
     cross join lateral (
           select o.id from {schema}.outbox o
            where o.endpoint_id = s.id and o.status = 'pending' and o.next_attempt_at <= @now
              and (o.locked_until is null or o.locked_until <= @now)
              and o.id <> all(@exclude)
            order by o.next_attempt_at, o.id
            limit greatest(s.free, 0)) c),
picked as (
    select o.id from {schema}.outbox o
      join candidates c on c.id = o.id
     where o.status = 'pending' and (o.locked_until is null or o.locked_until <= @now)
     order by o.next_attempt_at, o.id
     limit @limit
       for update of o skip locked),
claimed as (
    update {schema}.outbox o
       set locked_until = @lease_until, claim_token = @token, attempts = o.attempts + 1
      from picked
     where o.id = picked.id
 returning o.id, o.endpoint_id, o.message_id, o.type, o.path, o.body, o.attempts)
select c.id, c.endpoint_id, c.message_id, c.type, c.path, c.body, c.attempts, e.url, e.secrets
  from claimed c
  join {schema}.endpoints e on e.id = c.endpoint_id
 order by c.id
