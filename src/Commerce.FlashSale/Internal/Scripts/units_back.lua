-- Records, on bucket 0 of a split sale, that units of items came back in some bucket (a release, expired holds): counts
-- it (so a sold-out decision read before it is not recorded) and, if the item was sold out, records units_back once.
-- ARGV: now, then per item product, units back. Returns the number of units_back events recorded.
local now = now_ms(ARGV[1])
local n = 0
for i = 2, #ARGV, 2 do
  local p = ARGV[i]
  redis.call('HINCRBY', KEYS[2], p .. '|backs', 1)
  if redis.call('HGET', KEYS[2], p .. '|gout') == '1' then
    redis.call('HSET', KEYS[2], p .. '|gout', '0')
    lifecycle('units_back', p, tonumber(ARGV[i + 1]), now)
    n = n + 1
  end
end
return n
