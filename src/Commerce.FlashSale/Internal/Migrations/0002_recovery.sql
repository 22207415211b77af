-- Recovery when Redis loses a sale, durable confirmations, per-user reservation ids, and no cascading deletes.

-- The epoch of a sale's Redis state: a rebuild moves it on, and every write from Redis (journal drain, confirmation)
-- names the epoch it comes from, so a drainer or a confirm of the state being replaced is refused (fencing).
alter table {schema}.sales add column epoch bigint not null default 1;
-- A sale that needs no more work (ended or cancelled, no hold left, journal drained).
alter table {schema}.sales add column retired_at timestamptz null;

-- The highest journal sequence number PostgreSQL has applied for a sale (by the journal drain and by confirmations):
-- Redis lower than this lost writes.
create table {schema}.sale_progress (
    sale_id uuid primary key references {schema}.sales (id) on delete cascade,
    journal_seq bigint not null default 0
);

-- A reservation id is its user's idempotency key: two users may use the same one.
alter table {schema}.reservations drop constraint reservations_pkey;
alter table {schema}.reservations add primary key (sale_id, user_id, id);
-- The journal sequence number of the reservation's latest change.
alter table {schema}.reservations add column seq bigint not null default 0;

-- Removing an item never deletes its reservations.
alter table {schema}.reservations drop constraint reservations_sale_id_product_id_fkey;
alter table {schema}.reservations add constraint reservations_item
    foreign key (sale_id, product_id) references {schema}.sale_items (sale_id, product_id) on delete restrict;

-- Journal entries PostgreSQL could not take (unreadable, or refused by a constraint), parked with the error so the
-- journal keeps draining; ReconcileAsync lists them.
create table {schema}.journal_dead_letters (
    sale_id uuid not null,
    entry_id text not null,
    seq bigint null,
    fields jsonb not null,
    error text not null,
    parked_at timestamptz not null default now(),
    primary key (sale_id, entry_id)
);
