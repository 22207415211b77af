-- What recovery needs to know of a sale in Redis. Reply: {exists (0/1), epoch, seq, recovering}.
local sale = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'recovering')
if not sale[3] then return { 0, '0', '0', '0' } end
return { 1, sale[1] or '0', sale[2] or '0', sale[3] }
