-- Replaces a sale's window and name; items are upserted by the next statement and removed ones deleted only if no
-- reservation refers to them (the foreign key refuses otherwise: reservations are never deleted).
update {schema}.sales set name = @name, starts_at = @starts, ends_at = @ends, updated_at = now()
 where id = @id and cancelled_at is null
