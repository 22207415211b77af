-- The versions a bulk sync or batch wrote: each changed order's winner, and the input versions that flagged a stored
-- order paid or refunded (bulk_changed_orders.sql).
select order_id, updated_at, snapshot_status from tmp_changed
union all
select t.order_id, t.updated_at, t.status from tmp_orders t join tmp_flagged f using (order_id)
 where t.counted or t.status in ('cancelled', 'refunded')
