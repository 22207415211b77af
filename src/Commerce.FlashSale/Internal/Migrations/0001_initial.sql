-- Flash sales, their items and reservations. PostgreSQL converges on Redis through the journal; the
-- check constraint on sale_items is the last line of defence: confirmed units never exceed stock.

create table {schema}.sales (
    id uuid primary key,
    shop_id text not null,
    name text not null,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    cancelled_at timestamptz null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint sales_window check (ends_at > starts_at)
);

create index sales_shop on {schema}.sales (shop_id, starts_at desc);

create table {schema}.sale_items (
    sale_id uuid not null references {schema}.sales (id) on delete cascade,
    product_id text not null,
    stock int not null check (stock >= 0),
    price numeric(19, 4) not null check (price >= 0),
    per_user_limit int not null check (per_user_limit > 0),
    reserved_units int not null default 0 check (reserved_units >= 0),
    confirmed_units int not null default 0,
    primary key (sale_id, product_id),
    constraint confirmed_within_stock check (confirmed_units >= 0 and confirmed_units <= stock),
    constraint held_within_stock check (reserved_units + confirmed_units <= stock)
);

create table {schema}.reservations (
    sale_id uuid not null,
    id text not null,
    product_id text not null,
    user_id text not null,
    quantity int not null check (quantity > 0),
    state text not null check (state in ('reserved', 'confirmed', 'released', 'expired')),
    version int not null check (version > 0),
    created_at timestamptz not null,
    expires_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (sale_id, id),
    foreign key (sale_id, product_id) references {schema}.sale_items (sale_id, product_id) on delete cascade
);

create index reservations_user on {schema}.reservations (sale_id, user_id);

-- Keep sale_items.reserved_units / confirmed_units equal to the sum over reservations. Statement-level triggers
-- over transition tables apply one net delta per product per statement (the journal worker upserts hundreds of
-- rows at once), so the check constraints above are evaluated on the result, never on a half-applied batch. An
-- upsert whose version is not newer updates no row and so changes nothing here.
create function {schema}.track_inserted_units() returns trigger language plpgsql as $$
begin
    update {schema}.sale_items i
       set reserved_units = i.reserved_units + d.reserved,
           confirmed_units = i.confirmed_units + d.confirmed
      from (select sale_id, product_id,
                   sum(case when state = 'reserved' then quantity else 0 end) as reserved,
                   sum(case when state = 'confirmed' then quantity else 0 end) as confirmed
              from new_rows
             group by sale_id, product_id) d
     where i.sale_id = d.sale_id and i.product_id = d.product_id
       and (d.reserved <> 0 or d.confirmed <> 0);
    return null;
end;
$$;

create function {schema}.track_updated_units() returns trigger language plpgsql as $$
begin
    update {schema}.sale_items i
       set reserved_units = i.reserved_units + d.reserved,
           confirmed_units = i.confirmed_units + d.confirmed
      from (select sale_id, product_id, sum(reserved) as reserved, sum(confirmed) as confirmed
              from (select sale_id, product_id,
                           case when state = 'reserved' then quantity else 0 end as reserved,
                           case when state = 'confirmed' then quantity else 0 end as confirmed
                      from new_rows
                    union all
                    select sale_id, product_id,
                           -(case when state = 'reserved' then quantity else 0 end),
                           -(case when state = 'confirmed' then quantity else 0 end)
                      from old_rows) changes
             group by sale_id, product_id) d
     where i.sale_id = d.sale_id and i.product_id = d.product_id
       and (d.reserved <> 0 or d.confirmed <> 0);
    return null;
end;
$$;

create trigger reservations_units_inserted
after insert on {schema}.reservations
referencing new table as new_rows
for each statement execute function {schema}.track_inserted_units();

create trigger reservations_units_updated
after update on {schema}.reservations
referencing old table as old_rows new table as new_rows
for each statement execute function {schema}.track_updated_units();
