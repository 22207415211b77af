-- The local days the changed orders were or are in, for the summaries to rebuild.
select distinct day from (
    select (created_at at time zone s.time_zone)::date as day from tmp_changed, {schema}.shops s where s.shop_id = @shop
    union
    select (old_created_at at time zone s.time_zone)::date from tmp_changed, {schema}.shops s where s.shop_id = @shop and old_created_at is not null) d
order by day
