-- The versions a bulk sync or batch wrote: each changed order's winner, and the input versions that told a stored
-- order something new (bulk_changed_orders.sql): that it was paid, a later other status, a new refund time.
select order_id, updated_at, snapshot_status from tmp_changed
union all
select t.order_id, t.updated_at, t.status from tmp_orders t join tmp_flagged f using (order_id)
 where (t.counted and not f.old_counted)
    or (t.status not in ('cancelled', 'refunded') and t.updated_at > coalesce(f.old_active_at, '-infinity'))
    or (t.status in ('cancelled', 'refunded') and not (t.updated_at = any(coalesce(f.old_refund_times, '{}'))))
