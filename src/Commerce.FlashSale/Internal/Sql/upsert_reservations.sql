-- Applies journal entries (one row per reservation, its newest version) if they come from the sale's current epoch.
-- Idempotent and safe out of order: a row is written only when its version is newer. The statement-level triggers keep
-- the item counters; the check constraints reject confirmed units above stock. Returns nothing when fenced off: the
-- caller then reads the epoch to tell "fenced" from "nothing new".
with fence as (
    select id from {schema}.sales where id = @sale and epoch = @epoch for share
)
insert into {schema}.reservations (sale_id, id, product_id, user_id, quantity, state, version, created_at, expires_at, updated_at, seq)
select @sale, r.id, r.product_id, r.user_id, r.quantity, r.state, r.version, r.created_at, r.expires_at, r.updated_at, r.seq
  from fence, unnest(@ids, @products, @users, @quantities, @states, @versions, @created, @expires, @updated, @seqs)
       as r(id, product_id, user_id, quantity, state, version, created_at, expires_at, updated_at, seq)
on conflict (sale_id, user_id, id) do update
   set state = excluded.state, version = excluded.version, updated_at = excluded.updated_at, seq = excluded.seq
 where {schema}.reservations.version < excluded.version
