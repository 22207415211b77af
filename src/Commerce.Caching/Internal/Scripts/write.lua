-- Writes an entry, a tombstone or a value computed by a factory, and gives it its version: the server's time in
-- microseconds, and always above the version it replaces, so the order of a key's writes is the order Redis ran them
-- in, whatever the clocks of the instances. Every key is in one hash slot (the scope's, or the key's own).
-- KEYS[1]: the entry; KEYS[2]: its stampede lease; KEYS[3] (scoped keys only): the scope's generation.
-- ARGV[1]: the bytes (EntryCodec; their version digits are replaced by the one given here); ARGV[2]: TTL in ms;
-- ARGV[3]: mode: 'f' a factory's value, written only if the entry is still the one its reader saw (ARGV[5], ''
--          when there was none); 's' a set and 'r' a remove (tombstone), always written; 'S' and 'R' a set or
--          remove queued while Redis was unreachable, written only over an entry older than it (ARGV[4]);
-- ARGV[4]: the writer's own version of the write (its clock, in microseconds); ARGV[5]: the version the reader saw;
-- ARGV[6]: the lease token to release ('' = none); ARGV[7]: channel;
-- ARGV[8]: message to publish: '' none, 'k' the key changed (sent as k{version}ARGV[10]), 'f' a leased value was
--          written (sent as f..ARGV[10]);
-- ARGV[9]: the least TTL in ms the scope's generation keeps (it must outlive the entries stamped with it);
-- ARGV[10]: the rest of the message.
-- Returns the version written, or 0 when nothing was (a newer write, or a remove the factory did not see, won).
--
-- An entry starts with its format byte (2), a flags byte, then its version as 16 ASCII digits.
local cur = redis.call('GET', KEYS[1])
local version = ''
if cur and string.byte(cur, 1) == 2 then version = string.sub(cur, 3, 18) end

local mode = ARGV[3]
local write = true
if mode == 'f' then
  write = version == ARGV[5]
elseif (mode == 'S' or mode == 'R') and version ~= '' then
  write = tonumber(version) < tonumber(ARGV[4])
end

local written = 0
if write then
  local t = redis.call('TIME')
  written = tonumber(t[1]) * 1000000 + tonumber(t[2])
  if version ~= '' and tonumber(version) >= written then written = tonumber(version) + 1 end
  local digits = string.format('%016d', written)
  redis.call('SET', KEYS[1], string.sub(ARGV[1], 1, 2) .. digits .. string.sub(ARGV[1], 19), 'PX', ARGV[2])
  if KEYS[3] then
    local ttl = redis.call('PTTL', KEYS[3])
    if ttl == -1 or (ttl >= 0 and ttl < tonumber(ARGV[9])) then redis.call('PEXPIRE', KEYS[3], ARGV[9]) end
  end
  if ARGV[8] == 'k' then redis.call('PUBLISH', ARGV[7], 'k' .. digits .. ARGV[10]) end
end

if ARGV[6] ~= '' and redis.call('GET', KEYS[2]) == ARGV[6] then redis.call('DEL', KEYS[2]) end
if ARGV[8] == 'f' then redis.call('PUBLISH', ARGV[7], 'f' .. ARGV[10]) end
return written
