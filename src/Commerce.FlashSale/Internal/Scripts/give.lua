-- The second half of a move: adds units in transit to this bucket's stock, once per transfer. ARGV: product, units,
-- transfer id. Returns 'given' (now or before), 'refused' (the sender gave up on it and took its units back), or
-- 'recovering' (the sale is being rebuilt from PostgreSQL, which splits the stock afresh).
local p, n, id = ARGV[1], tonumber(ARGV[2]), ARGV[3]
if redis.call('HGET', KEYS[1], 'recovering') ~= '0' then return 'recovering' end
local seen = redis.call('HGET', KEYS[2], 'g|' .. id)
if seen == 'x' then return 'refused' end
if seen then return 'given' end
redis.call('HINCRBY', KEYS[2], p .. '|stock', n)
redis.call('HSET', KEYS[2], 'g|' .. id, '1')
touched(p)
return 'given'
