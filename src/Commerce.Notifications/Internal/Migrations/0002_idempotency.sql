-- Idempotent creation: a notification or bulk job created with a key exists once per key (notifications: per
-- recipient), across instances; a repeated call returns the first one.
alter table {schema}.notifications add column idempotency_key text null;
create unique index notifications_idempotency on {schema}.notifications (recipient_id, idempotency_key) where idempotency_key is not null;
alter table {schema}.bulk_jobs add column idempotency_key text null;
create unique index bulk_jobs_idempotency on {schema}.bulk_jobs (idempotency_key) where idempotency_key is not null;
