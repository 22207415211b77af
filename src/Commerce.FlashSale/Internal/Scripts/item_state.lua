-- One bucket's view of an item, for a consistent read across buckets (read twice: unchanged versions mean the values
-- held together). ARGV: product. Reply: {available, in transit, version, units-back count, recovering (0/1)}; all
-- '-1' when the bucket has no such sale.
local p = ARGV[1]
local sale = redis.call('HGET', KEYS[1], 'recovering')
if not sale or not redis.call('HGET', KEYS[2], p .. '|stock') then return { '-1', '-1', '-1', '-1', '1' } end
local item = redis.call('HMGET', KEYS[2], p .. '|transit', p .. '|ver', p .. '|backs')
return { fmt(available_of(p)), item[1] or '0', item[2] or '0', item[3] or '0', sale }
