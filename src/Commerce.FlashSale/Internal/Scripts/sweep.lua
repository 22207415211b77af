-- Expires due holds, at most ARGV[2] of them (the caller's batch is capped so no call blocks a shard).
-- ARGV: now, max. Returns {number expired, then per product with units back: product, units}.
if redis.call('HGET', KEYS[1], 'recovering') ~= '0' then return { 0 } end
local n, back = sweep(now_ms(ARGV[1]), tonumber(ARGV[2]))
local reply = { n }
for p, q in pairs(back) do
  reply[#reply + 1] = p
  reply[#reply + 1] = q
end
return reply
