-- Records, on bucket 0 of a split sale, that the item as a whole sold out (the service read every bucket empty), once,
-- unless units came back since it read bucket 0 (ARGV[3], the units-back count it saw). ARGV: now, product, count.
-- Returns 1 if it recorded the event.
local now, p = now_ms(ARGV[1]), ARGV[2]
if (redis.call('HGET', KEYS[2], p .. '|backs') or '0') ~= ARGV[3] then return 0 end
if redis.call('HGET', KEYS[2], p .. '|gout') == '1' then return 0 end
redis.call('HSET', KEYS[2], p .. '|gout', '1')
lifecycle('sold_out', p, 0, now)
return 1
