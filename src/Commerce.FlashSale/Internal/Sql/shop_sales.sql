-- A shop's sales that have not ended by the sale clock's @now and are not cancelled, soonest first.
select id from {schema}.sales
where shop_id = @shop and cancelled_at is null and ends_at > @now
order by starts_at, id
limit @limit
