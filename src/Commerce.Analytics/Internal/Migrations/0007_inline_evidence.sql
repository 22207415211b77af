-- The evidence functions of migration 0006 (times_add, full_refund_at), unchanged in meaning, made cheap where there
-- is nothing to add. A SQL function whose body holds a sub-select is never inlined, so each call cost a function call
-- (about 4 us): a bulk sync of 300,000 orders spent 5 s of its merge in them, almost all with nothing to add. Each is
-- now an inlinable CASE around the sub-select, moved into a function of its own that runs only when there is work.
-- The inner functions are declared COST 1 so that a nested call (times_add(times_add(a, b), c), the argument used
-- twice) is still cheap enough for the planner to inline.
create function {schema}.times_union(a timestamptz[], b timestamptz[]) returns timestamptz[]
language sql immutable parallel safe cost 1
return (select array_agg(distinct t order by t) from unnest(coalesce(a, '{}') || b) as x(t) where t is not null);

create or replace function {schema}.times_add(a timestamptz[], b timestamptz[]) returns timestamptz[]
language sql immutable parallel safe
return case when b is null then a else {schema}.times_union(a, b) end;

create function {schema}.earliest_refund(refund_times timestamptz[], active_at timestamptz) returns timestamptz
language sql immutable parallel safe cost 1
return (select min(t) from unnest(refund_times) as x(t) where active_at is null or t >= active_at);

create or replace function {schema}.full_refund_at(refund_times timestamptz[], active_at timestamptz) returns timestamptz
language sql immutable parallel safe
return case when refund_times is null then null else {schema}.earliest_refund(refund_times, active_at) end;
