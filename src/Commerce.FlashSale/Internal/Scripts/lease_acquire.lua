-- Takes a sale's drain lease. KEYS[1]: the lease. ARGV: token, ms. Returns the value stored (the token and this Redis
-- server's run id), or false when a live holder has it.
-- A lease written by another incarnation of the server (before a restart from a snapshot, or on the primary a replica
-- took over from) has another run id: its holder drained a state that no longer exists, so it is taken over at once
-- instead of blocking recovery until it expires.
local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
local current = redis.call('GET', KEYS[1])
if current and string.match(current, '|(%w+)$') == run then return false end
local value = ARGV[1] .. '|' .. run
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
return value
