-- Inserts a group of received messages in one statement (group commit); a (source, message id) already stored, or
-- repeated within the group, is skipped: the first copy wins. Rows go in key order, so two groups that hold copies of
-- the same messages wait for each other in one order and never deadlock. Returns the rows inserted.
insert into {schema}.inbox (source, message_id, type, event_timestamp, headers, body, received_at, next_attempt_at, locked_until, claim_token, attempts)
select m.source, m.message_id, m.type, m.event_timestamp, m.headers, m.body, @now, @now, m.locked_until, m.claim_token,
       case when m.locked_until is null then 0 else 1 end
  from unnest(@sources::text[], @message_ids::text[], @types::text[], @event_timestamps::timestamptz[], @headers::jsonb[],
              @bodies::bytea[], @locked_until::timestamptz[], @claim_tokens::uuid[]) with ordinality
       as m(source, message_id, type, event_timestamp, headers, body, locked_until, claim_token, ord)
 order by m.source, m.message_id, m.ord
    on conflict (source, message_id) do nothing
returning id, source, message_id
