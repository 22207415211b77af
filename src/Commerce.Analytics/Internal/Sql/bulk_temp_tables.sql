-- The temporary tables a bulk sync or a batch copies into (dropped at commit).
create temporary table tmp_products (product_id text, name text, sku text, category text, price numeric, cost numeric, currency text,
    stock int, expires_at timestamptz, lead_time_days int, updated_at timestamptz) on commit drop;
create temporary table tmp_orders (order_id text, platform text, status text, counted boolean, currency text,
    created_at timestamptz, updated_at timestamptz, discount numeric, shipping numeric, tax numeric, platform_fee numeric) on commit drop;
create temporary table tmp_lines (order_id text, order_updated_at timestamptz, order_status text, line_no int, product_id text, quantity int,
    unit_price numeric, unit_cost numeric) on commit drop;
