-- Inserts the lines of the winning version of each changed order.
insert into {schema}.order_lines (shop_id, order_id, line_no, product_id, quantity, unit_price, unit_cost)
select @shop, l.order_id, l.line_no, l.product_id, l.quantity, l.unit_price, l.unit_cost
  from tmp_lines l join tmp_changed c on c.order_id = l.order_id and l.order_updated_at = c.lines_version and l.order_status = c.snapshot_status;
