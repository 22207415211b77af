-- A sale that needs no more work.
update {schema}.sales set retired_at = coalesce(retired_at, now()) where id = @sale
