-- Ends a move on the sending bucket. ARGV: transfer id, outcome: 'given' (the units are in the other bucket's stock)
-- or 'refused' (they never got there: back into this bucket's stock). Idempotent. Returns 1 if it settled a transfer.
local t = redis.call('HGET', KEYS[2], '|t|' .. ARGV[1])
if not t then return 0 end
local p, n = string.match(t, '^([^|]*)|([^|]*)|')
redis.call('HDEL', KEYS[2], '|t|' .. ARGV[1])
redis.call('HINCRBY', KEYS[2], p .. '|transit', -tonumber(n))
if ARGV[2] == 'refused' then redis.call('HINCRBY', KEYS[2], p .. '|stock', tonumber(n)) end
touched(p)
return 1
