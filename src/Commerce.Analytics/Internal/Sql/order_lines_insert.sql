-- Inserts one order's lines from arrays.
insert into {schema}.order_lines (shop_id, order_id, line_no, product_id, quantity, unit_price, unit_cost)
select @shop, @order, l.ordinality - 1, l.product_id, l.quantity, l.unit_price, l.unit_cost
  from unnest(@products, @quantities, @prices, @costs) with ordinality as l(product_id, quantity, unit_price, unit_cost, ordinality)
