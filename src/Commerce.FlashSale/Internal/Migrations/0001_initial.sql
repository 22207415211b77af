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

-- Keeps sale_items.reserved_units / confirmed_units equal to the sum over reservations, whatever order the
-- journal's versions arrive in (an older version never overwrites a newer one; see the upsert).
create function {schema}.track_reservation_units() returns trigger language plpgsql as $$
declare
    reserved_delta int := 0;
    confirmed_delta int := 0;
begin
    if tg_op = 'INSERT' then
        reserved_delta := case when new.state = 'reserved' then new.quantity else 0 end;
        confirmed_delta := case when new.state = 'confirmed' then new.quantity else 0 end;
    elsif new.state is distinct from old.state then
        reserved_delta := (case when new.state = 'reserved' then new.quantity else 0 end)
                        - (case when old.state = 'reserved' then old.quantity else 0 end);
        confirmed_delta := (case when new.state = 'confirmed' then new.quantity else 0 end)
                         - (case when old.state = 'confirmed' then old.quantity else 0 end);
    end if;
    if reserved_delta <> 0 or confirmed_delta <> 0 then
        update {schema}.sale_items
           set reserved_units = reserved_units + reserved_delta,
               confirmed_units = confirmed_units + confirmed_delta
         where sale_id = new.sale_id and product_id = new.product_id;
    end if;
    return new;
end;
$$;

create trigger reservations_track_units
after insert or update of state on {schema}.reservations
for each row execute function {schema}.track_reservation_units();
