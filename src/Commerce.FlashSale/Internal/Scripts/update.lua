-- Replaces a sale's window, name and items, only before it starts and while nothing is held. ARGV: now, starts, ends,
-- name, expire-at ms, then per item product, stock (this bucket's share), price, limit, total stock.
-- Returns 'updated', 'not_found', 'recovering', 'cancelled' or 'started'.
local now = now_ms(ARGV[1])
local sale = redis.call('HMGET', KEYS[1], 'starts', 'cancelled', 'products', 'recovering')
if not sale[1] then return 'not_found' end
if sale[4] == '1' then return 'recovering' end
if sale[2] == '1' then return 'cancelled' end
if now >= tonumber(sale[1]) then return 'started' end
for p in string.gmatch(sale[3], '[^|]+') do
  local held = redis.call('HMGET', KEYS[2], p .. '|reserved', p .. '|confirmed')
  if tonumber(held[1] or '0') > 0 or tonumber(held[2] or '0') > 0 then return 'started' end
end
for p in string.gmatch(sale[3], '[^|]+') do
  redis.call('HDEL', KEYS[2], p .. '|stock', p .. '|reserved', p .. '|confirmed', p .. '|price', p .. '|limit', p .. '|out',
    p .. '|total')
end
local products = {}
for i = 6, #ARGV, 5 do
  local p = ARGV[i]
  products[#products + 1] = p
  redis.call('HSET', KEYS[2], p .. '|stock', ARGV[i + 1], p .. '|reserved', '0', p .. '|confirmed', '0',
    p .. '|price', ARGV[i + 2], p .. '|limit', ARGV[i + 3], p .. '|out', '0', p .. '|total', ARGV[i + 4])
  touched(p)
end
redis.call('HSET', KEYS[1], 'starts', ARGV[2], 'ends', ARGV[3], 'name', ARGV[4],
  'products', table.concat(products, '|'), 'expire', ARGV[5])
for i = 1, 7 do expire_at(KEYS[i], ARGV[5], now) end
return 'updated'
