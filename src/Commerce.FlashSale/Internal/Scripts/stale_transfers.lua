-- The moves this bucket started more than ARGV[2] ms before ARGV[1] (now) and never settled (the mover died between
-- the halves). Reply: {id, target bucket, ...}.
local now, age = now_ms(ARGV[1]), tonumber(ARGV[2])
local out = {}
local fields = redis.call('HGETALL', KEYS[2])
for i = 1, #fields, 2 do
  local id = string.match(fields[i], '^|t|(.+)$')
  if id then
    local target, at = string.match(fields[i + 1], '|([^|]*)|([^|]*)$')
    if now - tonumber(at) >= age then
      out[#out + 1] = id
      out[#out + 1] = target
    end
  end
end
return out
