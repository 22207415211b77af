-- Shared by the scripts that read or move a generation (RedisScripts puts it in front of them).
-- generation(key, floor, ttl): the generation at key, created when missing (with a TTL of ttl ms, none when
-- ttl is '0'), never lower than floor.
--
-- A generation that does not exist yet starts at the server's time in microseconds, so one lost to eviction
-- or expiry comes back larger than any value it had. One that is lower than a value a caller has seen lost
-- increments (a failover to a replica that missed them): it is raised to that value, so entries stamped with
-- the older generation stay stale. Numbers go through string.format('%d') because Lua prints large doubles
-- in exponent form.
local function generation(key, floor, ttl)
  local g = redis.call('GET', key)
  if not g then
    local t = redis.call('TIME')
    g = t[1] .. string.format('%06d', tonumber(t[2]))
    if tonumber(g) < floor then g = string.format('%d', floor) end
    if tonumber(ttl) > 0 then redis.call('SET', key, g, 'PX', ttl) else redis.call('SET', key, g) end
  elseif tonumber(g) < floor then
    g = string.format('%d', floor)
    redis.call('SET', key, g, 'KEEPTTL')
  end
  return g
end
