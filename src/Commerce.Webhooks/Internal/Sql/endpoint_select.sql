-- The endpoints; the caller appends one of the typed filters (by id, by event type, all).
select id, url, secrets, enabled, disabled_reason, event_types, description
  from {schema}.endpoints
