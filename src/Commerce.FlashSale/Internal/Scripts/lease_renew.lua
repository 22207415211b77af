-- Extends a drain lease only if it is still ours (compare-and-extend). KEYS[1]: lease. ARGV: token, ms. Returns 1/0.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
