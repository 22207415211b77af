-- The version rule of orders, written once and used by every write path (one event at a time and bulk): an event is
-- newer than another when its updatedAt is later, or, at the same updatedAt (second-precision storefronts), when its
-- status is a later lifecycle stage: pending < paid < shipped < completed < cancelled < refunded.

create function {schema}.status_rank(status text) returns int
language sql immutable parallel safe
return case status when 'pending' then 0 when 'paid' then 1 when 'shipped' then 2 when 'completed' then 3
                   when 'cancelled' then 4 when 'refunded' then 5 else -1 end;

-- Is the event (a_at, a_status) newer than the stored version (b_at, b_status)? Nothing stored (b_at null): yes.
create function {schema}.is_newer(a_at timestamptz, a_status text, b_at timestamptz, b_status text) returns boolean
language sql immutable parallel safe
return b_at is null or (a_at, {schema}.status_rank(a_status)) > (b_at, {schema}.status_rank(b_status));

-- The status of the snapshot that wrote the lines (its version is (updated_at, snapshot_status)); the order's status
-- may have moved on since through status changes. Orders stored before this migration take their current status.
alter table {schema}.orders add column snapshot_status text;
update {schema}.orders set snapshot_status = status;
alter table {schema}.orders alter column snapshot_status set not null;
