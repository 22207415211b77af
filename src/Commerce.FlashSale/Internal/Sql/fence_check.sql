-- Holds the sale's row against a rebuild (which moves the epoch on) until the transaction ends, and says whether the
-- caller's epoch is the current one.
select epoch = @epoch from {schema}.sales where id = @sale for share
