-- Reads an entry and, for a scoped key, its scope's generation, in one round trip (both keys share the
-- scope's hash slot, so this also runs on Redis Cluster).
-- KEYS[1]: the entry; KEYS[2] (scoped keys only): the scope's generation.
-- ARGV[1]: floor of the scope's generation (see generation.lua); ARGV[2]: TTL in ms of a generation created here.
-- Returns { entry or false, generation or false }.
local v = redis.call('GET', KEYS[1])
local g = false
if KEYS[2] then g = generation(KEYS[2], tonumber(ARGV[1]), ARGV[2]) end
return { v, g }
