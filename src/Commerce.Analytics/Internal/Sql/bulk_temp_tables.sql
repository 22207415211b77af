-- The temporary tables a bulk sync or a batch copies into (dropped at commit). Each copied version of an order has a
-- number (seq) its lines carry, so a line names its version with one int instead of the order's id, time and status.
-- Ids and codes compare as bytes, as in the tables they go to (migration 0010): sorted here, they are in their keys' order.
create temporary table tmp_products (product_id text collate "C", name text, sku text, category text, price numeric, cost numeric, currency text,
    stock int, expires_at timestamptz, lead_time_days int, updated_at timestamptz) on commit drop;
create temporary table tmp_orders (seq int, order_id text collate "C", platform text collate "C", status text, counted boolean, currency text collate "C",
    created_at timestamptz, updated_at timestamptz, discount numeric, shipping numeric, tax numeric, platform_fee numeric) on commit drop;
create temporary table tmp_lines (seq int, line_no int, product_id text collate "C", quantity int,
    unit_price numeric, unit_cost numeric) on commit drop;
