-- Reads a sale for display. ARGV: now. Reply (SaleReadReply decodes it): {now, sale fields, item fields}.
local now = now_ms(ARGV[1])
return { fmt(now), redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]) }
