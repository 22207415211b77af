update {schema}.sales set cancelled_at = coalesce(cancelled_at, now()), updated_at = now() where id = @id
