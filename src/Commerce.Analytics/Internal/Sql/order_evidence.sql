-- An older event of a stored order still proves it was paid, or dates its full refund earlier (migration 0006).
update {schema}.orders set counted = counted or @counted, refunded_at = least(refunded_at, @refunded_at)
 where shop_id = @shop and order_id = @order
