-- A sale's waiting room. KEYS: the sale and items hashes of bucket 0, and the queue (a sorted set of users, same hash
-- tag). ARGV: now, user, place if joining before the start (random), a secret to keep if the sale has none yet.
-- A user joining before the start is placed by the random number (no advantage in arriving first by milliseconds);
-- later ones after every early one, in order. Admissions grow at room_rate per second from the start, and not while
-- every item is sold out (on a split sale: the sale-wide mark on bucket 0); the count is advanced here, lazily.
-- Reply: {outcome, rank, queue length, admitted, secret, lifetime ms} with outcome 'admitted', 'waiting' or
-- 'sold_out'; or {'no_sale'} | {'recovering'} | {'no_room'} | {'not_active'}.
local now = now_ms(ARGV[1])
local sale = redis.call('HMGET', KEYS[1], 'starts', 'ends', 'cancelled', 'recovering', 'room_rate', 'products', 'buckets',
  'room_ttl', 'expire', 'room_key', 'room_admitted', 'room_at')
if not sale[1] then return { 'no_sale' } end
if sale[4] == '1' then return { 'recovering' } end
if not sale[5] then return { 'no_room' } end
local starts = tonumber(sale[1])
if sale[3] == '1' or now >= tonumber(sale[2]) then return { 'not_active' } end
local secret = sale[10]
if not secret then
  secret = ARGV[4]
  redis.call('HSET', KEYS[1], 'room_key', secret)
end
local mark = (sale[7] or '1') == '1' and '|out' or '|gout'
local sold_out = true
for p in string.gmatch(sale[6], '[^|]+') do
  if redis.call('HGET', KEYS[2], p .. mark) ~= '1' then sold_out = false break end
end
local admitted = tonumber(sale[11] or '0')
local at = tonumber(sale[12] or sale[1])
if now >= starts and now > at then
  if not sold_out then admitted = admitted + tonumber(sale[5]) * (now - math.max(at, starts)) / 1000 end
  redis.call('HSET', KEYS[1], 'room_admitted', string.format('%.3f', admitted), 'room_at', fmt(now))
end
local score = redis.call('ZSCORE', KEYS[3], ARGV[2])
if not score then
  if now < starts then
    score = ARGV[3]
  else
    score = string.format('%.0f', 2 ^ 40 + redis.call('HINCRBY', KEYS[1], 'room_seq', 1))
  end
  redis.call('ZADD', KEYS[3], score, ARGV[2])
  expire_at(KEYS[3], sale[9], now)
end
local rank = redis.call('ZRANK', KEYS[3], ARGV[2])
local through = math.floor(admitted)
local outcome = 'waiting'
if sold_out then outcome = 'sold_out' elseif rank < through then outcome = 'admitted' end
return { outcome, rank, redis.call('ZCARD', KEYS[3]), through, secret, sale[8] }
