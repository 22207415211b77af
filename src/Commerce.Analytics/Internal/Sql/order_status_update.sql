-- A newer status of a stored order, with its evidence (paid stays paid; when a full refund happened: migration 0006).
update {schema}.orders
   set status = @status, status_updated_at = @at, counted = counted or @counted,
       active_at = greatest(active_at, @active_at), refund_times = {schema}.times_add(refund_times, array[@refunded_at]),
       refunded_at = {schema}.full_refund_at({schema}.times_add(refund_times, array[@refunded_at]), greatest(active_at, @active_at))
 where shop_id = @shop and order_id = @order
