insert into {schema}.sale_items (sale_id, product_id, stock, price, per_user_limit)
select @id, * from unnest(@products, @stocks, @prices, @limits)
