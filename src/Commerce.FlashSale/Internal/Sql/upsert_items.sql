-- Writes a sale's items (insert or update in place), then deletes the items no longer in the definition.
with upserted as (
    insert into {schema}.sale_items (sale_id, product_id, stock, price, per_user_limit)
    select @id, * from unnest(@products, @stocks, @prices, @limits)
    on conflict (sale_id, product_id) do update
       set stock = excluded.stock, price = excluded.price, per_user_limit = excluded.per_user_limit
    returning product_id
)
delete from {schema}.sale_items i
 where i.sale_id = @id and i.product_id <> all (@products)
