-- An older event of a stored order still proves it was paid, or tells when a full refund happened (migration 0006).
update {schema}.orders
   set counted = counted or @counted,
       active_at = greatest(active_at, @active_at), refund_times = {schema}.times_add(refund_times, array[@refunded_at]),
       refunded_at = {schema}.full_refund_at({schema}.times_add(refund_times, array[@refunded_at]), greatest(active_at, @active_at))
 where shop_id = @shop and order_id = @order
