-- Creates a group of notifications in one statement (group commit): each recipient's counter is advanced once by the
-- number of its notifications in the group (in recipient order, so concurrent groups lock counters in one order and
-- never deadlock), its notifications take the sequences that frees in arrival order (gapless per recipient), and their
-- out-of-band deliveries are queued. Returns, per arrival position, the id and sequence.
with incoming as (
    select i.*
      from unnest(@recipients::text[], @types::text[], @titles::text[], @bodies::text[], @data::jsonb[], @keys::text[])
           with ordinality as i(recipient_id, type, title, body, data, idempotency_key, ord)),
numbered as (
    select n.*,
           row_number() over (partition by n.recipient_id order by n.ord) as nth,
           count(*) over (partition by n.recipient_id) as cnt
      from incoming n),
bumped as (
    insert into {schema}.recipients as r (recipient_id, last_sequence, unread_count)
    select d.recipient_id, d.cnt, d.cnt
      from (select distinct recipient_id, cnt from numbered) d
     order by d.recipient_id
        on conflict (recipient_id) do update
       set last_sequence = r.last_sequence + excluded.last_sequence,
           unread_count = r.unread_count + excluded.unread_count
 returning r.recipient_id, r.last_sequence),
sequenced as (
    select n.ord, n.recipient_id, b.last_sequence - n.cnt + n.nth as sequence, n.type, n.title, n.body, n.data, n.idempotency_key
      from numbered n
      join bumped b on b.recipient_id = n.recipient_id),
inserted as (
    insert into {schema}.notifications (recipient_id, sequence, type, title, body, data, created_at, idempotency_key)
    select s.recipient_id, s.sequence, s.type, s.title, s.body, s.data, @now, s.idempotency_key
      from sequenced s
     order by s.ord
 returning id, recipient_id, sequence),
deliveries as (
    insert into {schema}.channel_deliveries (notification_id, channel, address, next_attempt_at)
    select i.id, c.channel, c.address, @now
      from unnest(@channel_ords::bigint[], @channel_names::text[], @channel_addresses::text[]) as c(ord, channel, address)
      join sequenced s on s.ord = c.ord
      join inserted i on i.recipient_id = s.recipient_id and i.sequence = s.sequence)
select s.ord, i.id, i.sequence
  from sequenced s
  join inserted i on i.recipient_id = s.recipient_id and i.sequence = s.sequence
 order by s.ord
