-- Registers an endpoint, or replaces the URL, secrets, event types and description of an existing id.
insert into {schema}.endpoints (id, url, secrets, event_types, description)
values (@id, @url, @secrets, @event_types, @description)
    on conflict (id) do update
   set url = excluded.url, secrets = excluded.secrets, event_types = excluded.event_types,
       description = excluded.description, updated_at = now()
