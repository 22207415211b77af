-- Confirms (ARGV[4] = 'confirmed') or releases (ARGV[4] = 'released') a hold. ARGV: now, reservation id, user, target.
-- Reply (ChangeReply decodes it): {outcome, record, now, epoch, seq} where outcome is the target state,
-- 'already_confirmed', 'already_released', 'expired' (before), 'expired_now' (by this call), 'not_active' (sale cancelled, on confirm); or {'not_found'} |
-- {'no_sale'} (Redis has no such sale) | {'recovering'}. epoch and seq let the caller make a confirmation durable in PostgreSQL, fenced by the epoch.
-- A hold whose time has passed is expired here, atomically, so confirm and the expiry sweep cannot both win.
local now = now_ms(ARGV[1])
local rid, user, target = ARGV[2], ARGV[3], ARGV[4]
local sale = redis.call('HMGET', KEYS[1], 'recovering', 'cancelled', 'epoch')
if not sale[1] then return { 'no_sale' } end
if sale[1] == '1' then return { 'recovering' } end
local key = user .. '|' .. rid
local rec = redis.call('HGET', KEYS[4], key)
if not rec then return { 'not_found' } end
local st, v, u, p, q, c, x = unpack_res(rec)
local function answer(outcome)
  return { outcome, redis.call('HGET', KEYS[4], key), fmt(now), sale[3], redis.call('HGET', KEYS[1], 'seq') }
end
if st == 'confirmed' then return answer('already_confirmed') end
if st == 'released' then return answer('already_released') end
if st == 'expired' then return answer('expired') end
if now >= x then
  transition(rid, v, u, p, q, c, x, 'expired', now)
  return answer('expired_now')
end
if target == 'confirmed' and sale[2] == '1' then return answer('not_active') end
transition(rid, v, u, p, q, c, x, target, now)
return answer(target)
