-- Records a partial refund and its lines (the caller checked, under the order's lock, that its id is new).
insert into {schema}.order_refunds (shop_id, order_id, refund_id, refunded_at, shipping) values (@shop, @order, @refund, @at, @shipping);
insert into {schema}.order_refund_lines (shop_id, order_id, refund_id, line_no, product_id, quantity, amount)
select @shop, @order, @refund, n - 1, p, q, a from unnest(@products, @quantities, @amounts) with ordinality as l(p, q, a, n);
-- A refund proves the order was paid.
update {schema}.orders set counted = true where shop_id = @shop and order_id = @order and not counted
