-- Cancels a sale that has not ended, and records it in the journal (once). ARGV: now.
-- Returns 'cancelled', 'already_cancelled', 'ended', 'recovering' or 'not_found'.
local now = now_ms(ARGV[1])
local status = sale_state(now)
if status == 'not_found' then return 'not_found' end
if redis.call('HGET', KEYS[1], 'recovering') == '1' then return 'recovering' end
if status == 'cancelled' then return 'already_cancelled' end
if status == 'ended' then return 'ended' end
redis.call('HSET', KEYS[1], 'cancelled', '1', 'phase', 'cancelled')
if home() then lifecycle('cancelled', '', 0, now) end
return 'cancelled'
