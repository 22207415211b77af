-- The stored order, whether the event (@at, @status) is newer than its snapshot and than its status (is_newer), and
-- its refund evidence (migration 0006).
select counted, status, status_updated_at,
       {schema}.is_newer(@at, @status, updated_at, snapshot_status), {schema}.is_newer(@at, @status, status_updated_at, status),
       active_at, refund_times
  from {schema}.orders where shop_id = @shop and order_id = @order
