-- Stops a sale whose Redis state went stale from selling until it is rebuilt (no-op if Redis has no sale).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'recovering', '1')
return 1
