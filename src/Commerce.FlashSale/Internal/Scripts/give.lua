-- The second half of a move: adds units in transit to this bucket's stock, once per move. ARGV: product, units, move
-- id, epoch of the sender's state. Returns 'given' (now or before) or 'refused': the sender gave up on it (its units
-- went back), or this bucket is being rebuilt or was rebuilt since the units were taken (a rebuild splits the stock
-- afresh from PostgreSQL, so the units in transit are already counted): a refused move is refused for good.
local p, n, id = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local sale = redis.call('HMGET', KEYS[1], 'recovering', 'epoch')
local seen = redis.call('HGET', KEYS[2], '|g|' .. id)
if seen == '1' then return 'given' end
if seen == 'x' or sale[1] ~= '0' or sale[2] ~= ARGV[4] then
  if sale[1] then redis.call('HSET', KEYS[2], '|g|' .. id, 'x') end
  return 'refused'
end
redis.call('HINCRBY', KEYS[2], p .. '|stock', n)
redis.call('HSET', KEYS[2], '|g|' .. id, '1')
touched(p)
return 'given'
