-- Shared by every script of a sale (FlashSaleScripts puts it in front of them). Every script takes the same seven
-- keys, all carrying the sale's hash tag so they live in one slot on Redis Cluster:
--   KEYS[1] sale          HASH  starts, ends (unix ms), cancelled, recovering, phase, epoch, seq, shop, name,
--                               products ('|'-joined), expire, bucket, buckets
--   KEYS[2] items         HASH  {product}|stock|reserved|confirmed|limit|price|out|total|ver|transit, and on a sale
--                               split over buckets: {product}|gout|backs (bucket 0: the item as a whole sold out, and
--                               how often units came back), |t|{move} (units this bucket is moving to another),
--                               |g|{move} (a move this bucket took, '1', or refused, 'x')
--   KEYS[3] holds         HASH  {user}|{product} -> units reserved + confirmed by that user
--   KEYS[4] reservations  HASH  {user}|{id} -> the reservation record (see pack)
--   KEYS[5] expiry        ZSET  {user}|{id} scored by its expiry (unix ms), while reserved
--   KEYS[6] journal       STREAM of changes (k=r: a reservation, k=l: a lifecycle event), drained into PostgreSQL
--   KEYS[7] rate          HASH  {user} -> GCRA theoretical arrival time (unix ms)
-- A reservation id is the caller's idempotency key, scoped to its user: two users may use the same id.
-- A sale split over K buckets has K such key sets (FlashSaleKeys), each with its share of the stock, its own journal and
-- seq; a shopper's holds live in one of them. Bucket 0 alone journals the sale-wide events, and an item's sold_out /
-- units_back are decided by the service across buckets (sold_out.lua, units_back.lua), not by a bucket running dry.
-- Every change increments the sale's seq and journals it with that number, so PostgreSQL can tell when Redis went
-- back (lost writes). "Now" is Redis' own clock (TIME) unless the caller passes one (the TimeProvider clock mode).
local function fmt(n) return string.format('%d', n) end
local function now_ms(arg)
  if arg ~= nil and arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Makes a key expire at 'at' (unix ms on the sale clock): PEXPIRE with the time left on that clock, not PEXPIREAT, so
-- a sale's keys live their retention whichever clock the sale runs on (a caller's may be days away from Redis' own).
local function expire_at(key, at, now) redis.call('PEXPIRE', key, math.max(1, tonumber(at) - now)) end
-- The reservation record: state|version|user|product|quantity|created|expires (ReservationRecord in C#).
local function pack(st, v, u, p, q, c, x)
  return st .. '|' .. fmt(v) .. '|' .. u .. '|' .. p .. '|' .. fmt(q) .. '|' .. fmt(c) .. '|' .. fmt(x)
end
local function unpack_res(s)
  local st, v, u, p, q, c, x = string.match(s, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  return st, tonumber(v), u, p, tonumber(q), tonumber(c), tonumber(x)
end
local function next_seq() return redis.call('HINCRBY', KEYS[1], 'seq', 1) end
local function journal(rid, st, v, u, p, q, c, x, now)
  redis.call('XADD', KEYS[6], '*', 'k', 'r', 'n', fmt(next_seq()), 'r', rid, 's', st, 'v', fmt(v), 'u', u, 'p', p,
    'q', fmt(q), 'c', fmt(c), 'x', fmt(x), 't', fmt(now))
end
-- A sale's lifecycle event: started, ended, cancelled, sold_out, units_back (recorded once, by the script that causes it).
local function lifecycle(event, p, available, now)
  redis.call('XADD', KEYS[6], '*', 'k', 'l', 'n', fmt(next_seq()), 'e', event, 'p', p, 'a', fmt(available), 't', fmt(now))
end
local function split() return (redis.call('HGET', KEYS[1], 'buckets') or '1') ~= '1' end
local function home() return (redis.call('HGET', KEYS[1], 'bucket') or '0') == '0' end
-- an item's availability changed (the version lets the service read all buckets consistently)
local function touched(p) redis.call('HINCRBY', KEYS[2], p .. '|ver', 1) end
local function available_of(p)
  local item = redis.call('HMGET', KEYS[2], p .. '|stock', p .. '|reserved', p .. '|confirmed')
  return tonumber(item[1]) - tonumber(item[2]) - tonumber(item[3])
end
-- moves a 'reserved' reservation to 'confirmed', 'released' or 'expired'; a release or expiry returns its units
-- (and, if the item was sold out, records that units are back)
local function transition(rid, v, u, p, q, c, x, to, now)
  local key = u .. '|' .. rid
  redis.call('HINCRBY', KEYS[2], p .. '|reserved', -q)
  if to == 'confirmed' then
    redis.call('HINCRBY', KEYS[2], p .. '|confirmed', q)
  else
    redis.call('HINCRBY', KEYS[3], u .. '|' .. p, -q)
  end
  redis.call('HSET', KEYS[4], key, pack(to, v + 1, u, p, q, c, x))
  redis.call('ZREM', KEYS[5], key)
  journal(rid, to, v + 1, u, p, q, c, x, now)
  if to ~= 'confirmed' then touched(p) end
  if to ~= 'confirmed' and redis.call('HGET', KEYS[2], p .. '|out') == '1' then
    redis.call('HSET', KEYS[2], p .. '|out', '0')
    if not split() then lifecycle('units_back', p, available_of(p), now) end
  end
end
-- expires at most 'max' holds whose time has come; bounded work whatever the backlog. Returns the number expired and
-- the units back per product.
local function sweep(now, max)
  if max <= 0 then return 0, {} end
  local due = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', fmt(now), 'LIMIT', 0, max)
  local n, back = 0, {}
  for _, key in ipairs(due) do
    local rec = redis.call('HGET', KEYS[4], key)
    local st, v, u, p, q, c, x
    if rec then st, v, u, p, q, c, x = unpack_res(rec) end
    if st == 'reserved' and x <= now then
      transition(string.sub(key, #u + 2), v, u, p, q, c, x, 'expired', now)
      n = n + 1
      back[p] = (back[p] or 0) + q
    else
      redis.call('ZREM', KEYS[5], key)
    end
  end
  return n, back
end
-- GCRA: 'limit' requests per 'period' ms with a burst of 'limit'; returns 0 when allowed, else ms to wait. The
-- state expires with the sale, or after a period of no use when the sale has no keys (no unbounded growth).
local function rate_limit(user, limit, period, cost, now)
  local interval = period / limit
  local tat = tonumber(redis.call('HGET', KEYS[7], user) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval * cost
  local allow_at = new_tat - period
  if allow_at > now then return math.ceil(allow_at - now) end
  redis.call('HSET', KEYS[7], user, fmt(math.ceil(new_tat)))
  if redis.call('PTTL', KEYS[7]) == -1 then redis.call('PEXPIRE', KEYS[7], fmt(period)) end
  return 0
end
local function sale_state(now)
  local sale = redis.call('HMGET', KEYS[1], 'starts', 'ends', 'cancelled')
  if not sale[1] then return 'not_found' end
  if sale[3] == '1' then return 'cancelled' end
  if now < tonumber(sale[1]) then return 'scheduled' end
  if now >= tonumber(sale[2]) then return 'ended' end
  return 'active'
end
