-- Invalidates a scope or a tag: moves its generation past every value it had and announces the new value to
-- every instance. O(1) whatever the number of entries.
-- KEYS[1]: the generation key.
-- ARGV[1]: channel; ARGV[2]: message kind; ARGV[3]: scope or tag name;
-- ARGV[4]: floor, the highest generation the caller has seen; ARGV[5]: TTL in ms of a generation created here.
-- Returns the new generation.
generation(KEYS[1], tonumber(ARGV[4]), ARGV[5])
local n = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2] .. string.format('%d', n) .. '|' .. ARGV[3])
return n
