-- SmartShelf: every stock level a product was reported at (so velocity is over the days it could be sold), and when
-- a product's current life began (a product deleted and created again under the same id starts a new one).

create table {schema}.stock_levels (
    shop_id text not null,
    product_id text not null,
    at timestamptz not null,     -- the stock version: from then on, until the next level, the product had this stock
    stock int not null,
    primary key (shop_id, product_id, at)
);

-- Null: since first_seen_at. Set when a newer snapshot recreates a deleted product.
alter table {schema}.products add column life_started_at timestamptz null;
