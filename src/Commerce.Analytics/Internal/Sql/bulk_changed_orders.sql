-- The orders a bulk sync or batch writes: the newest version of each in the input (is_newer), a newer pending status change
-- or stored status applied, kept only if newer than the stored snapshot.
create temporary table tmp_changed on commit drop as
with winners as (
    select distinct on (order_id) *, updated_at as lines_version from tmp_orders
     order by order_id, updated_at desc, {schema}.status_rank(status) desc)
select w.order_id, w.platform,
       case when {schema}.is_newer(p.updated_at, p.status, w.updated_at, w.status) then p.status
            when {schema}.is_newer(o.status_updated_at, o.status, w.updated_at, w.status) then o.status
            else w.status end as status,
       case when {schema}.is_newer(p.updated_at, p.status, w.updated_at, w.status) then p.counted
            when {schema}.is_newer(o.status_updated_at, o.status, w.updated_at, w.status) then o.counted
            else w.counted end as counted,
       w.currency, w.created_at, w.updated_at, w.discount, w.shipping, w.tax, w.platform_fee,
       greatest(w.updated_at, p.updated_at, o.status_updated_at) as status_updated_at,
       w.lines_version, w.status as snapshot_status, o.created_at as old_created_at
  from winners w
  left join {schema}.orders o on o.shop_id = @shop and o.order_id = w.order_id
  left join {schema}.pending_status_changes p on p.shop_id = @shop and p.order_id = w.order_id
 where o.order_id is null or {schema}.is_newer(w.updated_at, w.status, o.updated_at, o.snapshot_status);
