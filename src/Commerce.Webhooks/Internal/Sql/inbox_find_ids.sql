-- The inbox ids of a group's messages, in the same transaction as their insert (so it sees rows it inserted and rows
-- a concurrent insert committed meanwhile).
select i.source, i.message_id, i.id
  from {schema}.inbox i
  join unnest(@sources::text[], @message_ids::text[]) as k(source, message_id)
    on i.source = k.source and i.message_id = k.message_id
