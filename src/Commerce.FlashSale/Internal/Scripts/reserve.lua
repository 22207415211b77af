-- Holds units for a user. ARGV: now, reservation id, user, product, quantity, hold ms, lazy sweep max,
-- rate limit (0 = off), rate period ms.
-- Replies (ReserveReply decodes them):
--   {'reserved', expires, available, allowance, now}
--   {'replay', record, now}                         the same id was used before: its reservation as it is now
--   {'conflict'} | {'no_sale'} (Redis has no such sale) | {'recovering'} | {'item_not_found'} | {'not_active', status}
--   {'rate_limited', retry ms} | {'limit_exceeded', allowance} | {'sold_out', available}
-- On a sale split over buckets 'sold_out' means this bucket lacks the units: the service moves units and asks again.
local now = now_ms(ARGV[1])
local rid, user, product, qty = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local key = user .. '|' .. rid

local recovering = redis.call('HGET', KEYS[1], 'recovering')
if not recovering then return { 'no_sale' } end
if recovering == '1' then return { 'recovering' } end

-- a retry with the same reservation id (of the same user) answers the same reservation
local existing = redis.call('HGET', KEYS[4], key)
if existing then
  local st, v, u, p, q = unpack_res(existing)
  if p ~= product or q ~= qty then return { 'conflict' } end
  return { 'replay', existing, fmt(now) }
end

local status = sale_state(now)
if status ~= 'active' then return { 'not_active', status } end

local limit_rate = tonumber(ARGV[8])
if limit_rate > 0 then
  local wait = rate_limit(user, limit_rate, tonumber(ARGV[9]), 1, now)
  if wait > 0 then return { 'rate_limited', fmt(wait) } end
end

sweep(now, tonumber(ARGV[7]))

local item = redis.call('HMGET', KEYS[2], product .. '|stock', product .. '|reserved', product .. '|confirmed', product .. '|limit')
if not item[1] then return { 'item_not_found' } end
local stock, reserved, confirmed, limit = tonumber(item[1]), tonumber(item[2]), tonumber(item[3]), tonumber(item[4])
local held = tonumber(redis.call('HGET', KEYS[3], user .. '|' .. product) or '0')
if held + qty > limit then return { 'limit_exceeded', fmt(limit - held) } end
local available = stock - reserved - confirmed
if available < qty then return { 'sold_out', fmt(available) } end

local expires = now + tonumber(ARGV[6])
redis.call('HINCRBY', KEYS[2], product .. '|reserved', qty)
touched(product)
redis.call('HINCRBY', KEYS[3], user .. '|' .. product, qty)
redis.call('HSET', KEYS[4], key, pack('reserved', 1, user, product, qty, now, expires))
redis.call('ZADD', KEYS[5], fmt(expires), key)
journal(rid, 'reserved', 1, user, product, qty, now, expires, now)
if available == qty and redis.call('HGET', KEYS[2], product .. '|out') ~= '1' then
  redis.call('HSET', KEYS[2], product .. '|out', '1')
  if not split() then lifecycle('sold_out', product, 0, now) end
end
return { 'reserved', fmt(expires), fmt(available - qty), fmt(limit - held - qty), fmt(now) }
