-- A newer status of a stored order, with its evidence (paid stays paid, the earliest full refund is kept).
update {schema}.orders
   set status = @status, status_updated_at = @at, counted = counted or @counted, refunded_at = least(refunded_at, @refunded_at)
 where shop_id = @shop and order_id = @order
