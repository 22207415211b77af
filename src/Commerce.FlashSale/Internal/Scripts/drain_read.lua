-- The oldest journal entries with the epoch of the Redis state they belong to, read together so a drainer knows which
-- epoch it writes for (PostgreSQL refuses entries of an older epoch). ARGV: count. Reply: {epoch or false, entries}.
return { redis.call('HGET', KEYS[1], 'epoch'), redis.call('XRANGE', KEYS[6], '-', '+', 'COUNT', ARGV[1]) }
