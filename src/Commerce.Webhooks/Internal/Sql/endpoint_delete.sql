-- Deletes an endpoint; its outbox messages and their attempts go with it.
delete from {schema}.endpoints where id = @id
