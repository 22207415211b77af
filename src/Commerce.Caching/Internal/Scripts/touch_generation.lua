-- Makes a tag's (or everything's) generation outlive an entry just stamped with it.
-- KEYS[1]: the generation key. ARGV[1]: the least TTL in ms it keeps.
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 or (ttl >= 0 and ttl < tonumber(ARGV[1])) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return ttl
