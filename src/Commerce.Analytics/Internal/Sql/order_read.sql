-- The stored order, and whether the event (@at, @status) is newer than its snapshot and than its status (is_newer).
select counted, status, status_updated_at,
       {schema}.is_newer(@at, @status, updated_at, snapshot_status), {schema}.is_newer(@at, @status, status_updated_at, status), refunded_at
  from {schema}.orders where shop_id = @shop and order_id = @order
