-- Expires due holds, at most ARGV[2] of them (the caller's batch is capped so no call blocks a shard).
-- ARGV: now, max. Returns the number expired.
if redis.call('HGET', KEYS[1], 'recovering') ~= '0' then return 0 end
return sweep(now_ms(ARGV[1]), tonumber(ARGV[2]))
