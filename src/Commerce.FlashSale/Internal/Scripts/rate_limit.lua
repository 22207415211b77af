-- The rate limiter on its own (for ASP.NET Core's middleware), on the same state as the reserve script.
-- ARGV: user, limit, period ms, permits, now. Returns ms to wait (0 = acquired).
return rate_limit(ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), now_ms(ARGV[5]))
