-- Creates a sale's keys (of one bucket) unless they exist. ARGV: starts, ends, shop, name, expire-at ms, epoch, bucket,
-- buckets, waiting room admissions per second and token lifetime ms ('' for none), then per item product, stock (this
-- bucket's share), price, limit, total stock. Placeholder members keep the keys (and their expiry) alive while empty.
-- Returns 'created' or 'exists'.
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
local products = {}
for i = 11, #ARGV, 5 do
  local p = ARGV[i]
  products[#products + 1] = p
  redis.call('HSET', KEYS[2], p .. '|stock', ARGV[i + 1], p .. '|reserved', '0', p .. '|confirmed', '0',
    p .. '|price', ARGV[i + 2], p .. '|limit', ARGV[i + 3], p .. '|out', '0', p .. '|total', ARGV[i + 4])
end
redis.call('HSET', KEYS[1], 'starts', ARGV[1], 'ends', ARGV[2], 'cancelled', '0', 'recovering', '0', 'phase', 'scheduled',
  'epoch', ARGV[6], 'seq', '0', 'shop', ARGV[3], 'name', ARGV[4], 'products', table.concat(products, '|'), 'expire', ARGV[5],
  'bucket', ARGV[7], 'buckets', ARGV[8])
if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], 'room_rate', ARGV[9], 'room_ttl', ARGV[10]) end
redis.call('HSET', KEYS[3], '_', '0')
redis.call('HSET', KEYS[4], '_', '')
redis.call('ZADD', KEYS[5], '+inf', '_')
redis.call('XADD', KEYS[6], '*', 'r', '_')
redis.call('HSET', KEYS[7], '_', '0')
for i = 1, 7 do redis.call('PEXPIREAT', KEYS[i], ARGV[5]) end
return 'created'
