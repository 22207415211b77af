-- Asks the receiving bucket of a stale move whether it took the units, and makes sure it never will if it did not.
-- ARGV: transfer id. Returns 'given' or 'refused'.
local seen = redis.call('HGET', KEYS[2], '|g|' .. ARGV[1])
if seen == '1' then return 'given' end
redis.call('HSET', KEYS[2], '|g|' .. ARGV[1], 'x')
return 'refused'
