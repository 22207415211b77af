-- Moves a sale's phase along by Redis' clock (scheduled -> active -> ended) and records each move in the journal
-- once, whichever instance runs it first. ARGV: now. Returns the phase, or 'not_found' / 'recovering'.
local now = now_ms(ARGV[1])
local sale = redis.call('HMGET', KEYS[1], 'starts', 'ends', 'phase', 'recovering')
if not sale[1] then return 'not_found' end
if sale[4] == '1' then return 'recovering' end
local phase = sale[3] or 'scheduled'
if phase == 'cancelled' or phase == 'ended' then return phase end
local target = 'scheduled'
if now >= tonumber(sale[2]) then target = 'ended' elseif now >= tonumber(sale[1]) then target = 'active' end
if target == phase then return phase end
if target == 'active' and home() then lifecycle('started', '', 0, now) end
if target == 'ended' and home() then
  if phase == 'scheduled' then lifecycle('started', '', 0, tonumber(sale[1])) end
  lifecycle('ended', '', 0, now)
end
redis.call('HSET', KEYS[1], 'phase', target)
return target
