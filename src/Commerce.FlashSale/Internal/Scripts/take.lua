-- The first half of moving units between buckets of a split sale: takes units from this bucket into transit, for the
-- bucket that ran dry. ARGV: now, product, units wanted, transfer id, target bucket. Takes at least the units wanted
-- and up to half of what is available (so a crowd landing on one bucket does not ask again at once), never more than
-- is available. Returns {units taken, epoch}: 0 units when none are, or the sale is being recovered; the epoch of this
-- state goes with the give, so a give reaching a state rebuilt since is refused.
local now = now_ms(ARGV[1])
local p, want, id = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local sale = redis.call('HMGET', KEYS[1], 'recovering', 'epoch')
if sale[1] ~= '0' or not redis.call('HGET', KEYS[2], p .. '|stock') then return { 0, '0' } end
local available = available_of(p)
if available <= 0 then return { 0, sale[2] } end
local n = math.min(available, math.max(want, math.ceil(available / 2)))
redis.call('HINCRBY', KEYS[2], p .. '|stock', -n)
redis.call('HINCRBY', KEYS[2], p .. '|transit', n)
redis.call('HSET', KEYS[2], '|t|' .. id, p .. '|' .. fmt(n) .. '|' .. ARGV[5] .. '|' .. fmt(now))
touched(p)
return { n, sale[2] }
