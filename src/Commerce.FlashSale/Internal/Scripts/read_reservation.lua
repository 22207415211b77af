-- Reads one reservation. ARGV: now, user, id. Reply: {now, record or false, recovering or false}.
return { fmt(now_ms(ARGV[1])), redis.call('HGET', KEYS[4], ARGV[2] .. '|' .. ARGV[3]), redis.call('HGET', KEYS[1], 'recovering') }
