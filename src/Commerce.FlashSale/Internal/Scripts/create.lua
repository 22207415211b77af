-- Creates a sale's keys (of one bucket) unless they exist. ARGV: now, starts, ends, shop, name, expire-at ms, epoch, bucket,
-- buckets, waiting room admissions per second and token lifetime ms ('' for none), then per item product, stock (this
-- bucket's share), price, limit, total stock. Placeholder members keep the keys (and their expiry) alive while empty.
-- Returns 'created' or 'exists'.
local now = now_ms(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
local products = {}
for i = 12, #ARGV, 5 do
  local p = ARGV[i]
  products[#products + 1] = p
  redis.call('HSET', KEYS[2], p .. '|stock', ARGV[i + 1], p .. '|reserved', '0', p .. '|confirmed', '0',
    p .. '|price', ARGV[i + 2], p .. '|limit', ARGV[i + 3], p .. '|out', '0', p .. '|total', ARGV[i + 4])
end
redis.call('HSET', KEYS[1], 'starts', ARGV[2], 'ends', ARGV[3], 'cancelled', '0', 'recovering', '0', 'phase', 'scheduled',
  'epoch', ARGV[7], 'seq', '0', 'shop', ARGV[4], 'name', ARGV[5], 'products', table.concat(products, '|'), 'expire', ARGV[6],
  'bucket', ARGV[8], 'buckets', ARGV[9])
if ARGV[10] ~= '' then redis.call('HSET', KEYS[1], 'room_rate', ARGV[10], 'room_ttl', ARGV[11]) end
redis.call('HSET', KEYS[3], '_', '0')
redis.call('HSET', KEYS[4], '_', '')
redis.call('ZADD', KEYS[5], '+inf', '_')
redis.call('XADD', KEYS[6], '*', 'r', '_')
redis.call('HSET', KEYS[7], '_', '0')
for i = 1, 7 do expire_at(KEYS[i], ARGV[6], now) end
return 'created'
