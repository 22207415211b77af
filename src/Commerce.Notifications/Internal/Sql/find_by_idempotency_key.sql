-- The notifications already created with these (recipient, idempotency key) pairs.
select n.id, n.recipient_id, n.sequence, n.type, n.title, n.body, n.data::text, n.created_at, n.read_at, n.idempotency_key
  from {schema}.notifications n
  join unnest(@recipients::text[], @keys::text[]) as k(recipient_id, idempotency_key)
    on n.recipient_id = k.recipient_id and n.idempotency_key = k.idempotency_key
