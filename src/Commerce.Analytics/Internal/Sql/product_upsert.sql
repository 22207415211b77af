-- Writes products from the source the caller puts in place of the marker below (a VALUES row, or a select from the bulk's staging table): product fields change with a
-- newer product version, stock with a newer stock version; a newer snapshot of a deleted product recreates it, and its
-- life starts again then.
insert into {schema}.products as p (shop_id, product_id, name, sku, category, price, cost, currency, stock, expires_at, lead_time_days,
                                deleted, first_seen_at, updated_at, stock_updated_at)
{source}
on conflict (shop_id, product_id) do update set
    name = case when p.updated_at < excluded.updated_at then excluded.name else p.name end,
    sku = case when p.updated_at < excluded.updated_at then excluded.sku else p.sku end,
    category = case when p.updated_at < excluded.updated_at then excluded.category else p.category end,
    price = case when p.updated_at < excluded.updated_at then excluded.price else p.price end,
    cost = case when p.updated_at < excluded.updated_at then excluded.cost else p.cost end,
    currency = case when p.updated_at < excluded.updated_at then excluded.currency else p.currency end,
    expires_at = case when p.updated_at < excluded.updated_at then excluded.expires_at else p.expires_at end,
    lead_time_days = case when p.updated_at < excluded.updated_at then excluded.lead_time_days else p.lead_time_days end,
    deleted = case when p.updated_at < excluded.updated_at then false else p.deleted end,
    life_started_at = case when p.deleted and p.updated_at < excluded.updated_at then excluded.updated_at else p.life_started_at end,
    first_seen_at = least(p.first_seen_at, excluded.first_seen_at),
    updated_at = greatest(p.updated_at, excluded.updated_at),
    stock = case when p.stock_updated_at < excluded.stock_updated_at then excluded.stock else p.stock end,
    stock_updated_at = greatest(p.stock_updated_at, excluded.stock_updated_at)
where p.updated_at < excluded.updated_at or p.stock_updated_at < excluded.stock_updated_at
