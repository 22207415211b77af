namespace Commerce.FlashSale.Internal;

/// <summary>
/// The Lua scripts of a sale. Every script takes the same seven keys, all carrying the sale's hash tag so they live
/// in one slot on Redis Cluster:
/// <code>
/// KEYS[1] sale          HASH  starts, ends (unix ms), cancelled, shop, name, products ('|'-joined), expire
/// KEYS[2] items         HASH  {product}|stock|reserved|confirmed|limit|price
/// KEYS[3] holds         HASH  {user}|{product} -> units reserved + confirmed by that user
/// KEYS[4] reservations  HASH  {id} -> state|version|user|product|quantity|created|expires
/// KEYS[5] expiry        ZSET  {id} scored by its expiry (unix ms), while reserved
/// KEYS[6] journal       STREAM of state changes, drained into PostgreSQL
/// KEYS[7] rate          HASH  {user} -> GCRA theoretical arrival time (unix ms)
/// </code>
/// Each state change checks everything first and only then writes, and appends its journal entry in the same
/// atomic step. "Now" is Redis' own clock (TIME) unless the caller passes one (the TimeProvider clock mode).
/// </summary>
internal static class FlashSaleScripts
{
    private const string Prelude =
        """
        local function fmt(n) return string.format('%d', n) end
        local function now_ms(arg)
          if arg ~= nil and arg ~= '' then return tonumber(arg) end
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function pack(st, v, u, p, q, c, x)
          return st .. '|' .. fmt(v) .. '|' .. u .. '|' .. p .. '|' .. fmt(q) .. '|' .. fmt(c) .. '|' .. fmt(x)
        end
        local function unpack_res(s)
          local st, v, u, p, q, c, x = string.match(s, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
          return st, tonumber(v), u, p, tonumber(q), tonumber(c), tonumber(x)
        end
        local function journal(rid, st, v, u, p, q, c, x, now)
          redis.call('XADD', KEYS[6], '*', 'r', rid, 's', st, 'v', fmt(v), 'u', u, 'p', p,
            'q', fmt(q), 'c', fmt(c), 'x', fmt(x), 't', fmt(now))
        end
        -- moves a 'reserved' reservation to 'confirmed', 'released' or 'expired', returning its units
        local function transition(rid, v, u, p, q, c, x, to, now)
          redis.call('HINCRBY', KEYS[2], p .. '|reserved', -q)
          if to == 'confirmed' then
            redis.call('HINCRBY', KEYS[2], p .. '|confirmed', q)
          else
            redis.call('HINCRBY', KEYS[3], u .. '|' .. p, -q)
          end
          redis.call('HSET', KEYS[4], rid, pack(to, v + 1, u, p, q, c, x))
          redis.call('ZREM', KEYS[5], rid)
          journal(rid, to, v + 1, u, p, q, c, x, now)
        end
        -- expires at most 'max' holds whose time has come; bounded work whatever the backlog
        local function sweep(now, max)
          if max <= 0 then return 0 end
          local due = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', fmt(now), 'LIMIT', 0, max)
          local n = 0
          for _, rid in ipairs(due) do
            local rec = redis.call('HGET', KEYS[4], rid)
            local st, v, u, p, q, c, x
            if rec then st, v, u, p, q, c, x = unpack_res(rec) end
            if st == 'reserved' and x <= now then
              transition(rid, v, u, p, q, c, x, 'expired', now)
              n = n + 1
            else
              redis.call('ZREM', KEYS[5], rid)
            end
          end
          return n
        end
        -- GCRA: 'limit' requests per 'period' ms with a burst of 'limit'; returns 0 when allowed, else ms to wait
        local function rate_limit(user, limit, period, cost, now)
          local interval = period / limit
          local tat = tonumber(redis.call('HGET', KEYS[7], user) or now)
          if tat < now then tat = now end
          local new_tat = tat + interval * cost
          local allow_at = new_tat - period
          if allow_at > now then return math.ceil(allow_at - now) end
          redis.call('HSET', KEYS[7], user, fmt(math.ceil(new_tat)))
          return 0
        end
        local function sale_state(now)
          local sale = redis.call('HMGET', KEYS[1], 'starts', 'ends', 'cancelled')
          if not sale[1] then return 'not_found' end
          if sale[3] == '1' then return 'cancelled' end
          if now < tonumber(sale[1]) then return 'scheduled' end
          if now >= tonumber(sale[2]) then return 'ended' end
          return 'active'
        end

        """;

    /// <summary>
    /// ARGV: now, reservation id, user, product, quantity, hold ms, lazy sweep max, rate limit (0 = off), rate period ms.
    /// Returns one of:
    /// {'reserved', expires, available, allowance, now, created} | {'replay', state, version, created, expires, now}
    /// | {'conflict'} | {'not_found'} | {'item_not_found'} | {'not_active', status} | {'rate_limited', retry ms}
    /// | {'limit_exceeded', allowance} | {'sold_out', available}.
    /// </summary>
    public const string Reserve = Prelude +
        """
        local now = now_ms(ARGV[1])
        local rid, user, product, qty = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])

        -- a retry with the same reservation id answers the same reservation
        local existing = redis.call('HGET', KEYS[4], rid)
        if existing then
          local st, v, u, p, q, c, x = unpack_res(existing)
          if u ~= user or p ~= product or q ~= qty then return { 'conflict' } end
          return { 'replay', st, fmt(v), fmt(c), fmt(x), fmt(now) }
        end

        local status = sale_state(now)
        if status == 'not_found' then return { 'not_found' } end
        if status ~= 'active' then return { 'not_active', status } end

        local limit_rate = tonumber(ARGV[8])
        if limit_rate > 0 then
          local wait = rate_limit(user, limit_rate, tonumber(ARGV[9]), 1, now)
          if wait > 0 then return { 'rate_limited', fmt(wait) } end
        end

        sweep(now, tonumber(ARGV[7]))

        local item = redis.call('HMGET', KEYS[2], product .. '|stock', product .. '|reserved', product .. '|confirmed', product .. '|limit')
        if not item[1] then return { 'item_not_found' } end
        local stock, reserved, confirmed, limit = tonumber(item[1]), tonumber(item[2]), tonumber(item[3]), tonumber(item[4])
        local held = tonumber(redis.call('HGET', KEYS[3], user .. '|' .. product) or '0')
        if held + qty > limit then return { 'limit_exceeded', fmt(limit - held) } end
        local available = stock - reserved - confirmed
        if available < qty then return { 'sold_out', fmt(available) } end

        local expires = now + tonumber(ARGV[6])
        redis.call('HINCRBY', KEYS[2], product .. '|reserved', qty)
        redis.call('HINCRBY', KEYS[3], user .. '|' .. product, qty)
        redis.call('HSET', KEYS[4], rid, pack('reserved', 1, user, product, qty, now, expires))
        redis.call('ZADD', KEYS[5], fmt(expires), rid)
        journal(rid, 'reserved', 1, user, product, qty, now, expires, now)
        return { 'reserved', fmt(expires), fmt(available - qty), fmt(limit - held - qty), fmt(now), fmt(now) }
        """;

    /// <summary>
    /// Confirm (ARGV[4] = 'confirmed') or release (ARGV[4] = 'released'). ARGV: now, reservation id, user, target.
    /// Returns {outcome, state, version, created, expires, product, quantity, now} where outcome is the target state,
    /// 'already_confirmed', 'already_released', 'expired', 'not_active' (sale cancelled, on confirm) or {'not_found'}.
    /// A hold whose time has passed is expired here, atomically, so confirm and the expiry sweep cannot both win.
    /// </summary>
    public const string Change = Prelude +
        """
        local now = now_ms(ARGV[1])
        local rid, user, target = ARGV[2], ARGV[3], ARGV[4]
        local rec = redis.call('HGET', KEYS[4], rid)
        if not rec then return { 'not_found' } end
        local st, v, u, p, q, c, x = unpack_res(rec)
        if u ~= user then return { 'not_found' } end
        local function answer(outcome, state, version)
          return { outcome, state, fmt(version), fmt(c), fmt(x), p, fmt(q), fmt(now) }
        end
        if st == 'confirmed' then return answer('already_confirmed', st, v) end
        if st == 'released' then return answer('already_released', st, v) end
        if st == 'expired' then return answer('expired', st, v) end
        if now >= x then
          transition(rid, v, u, p, q, c, x, 'expired', now)
          return answer('expired', 'expired', v + 1)
        end
        if target == 'confirmed' and redis.call('HGET', KEYS[1], 'cancelled') == '1' then
          return answer('not_active', st, v)
        end
        transition(rid, v, u, p, q, c, x, target, now)
        return answer(target, target, v + 1)
        """;

    /// <summary>Expires due holds. ARGV: now, max. Returns the number expired.</summary>
    public const string Sweep = Prelude +
        """
        return sweep(now_ms(ARGV[1]), tonumber(ARGV[2]))
        """;

    /// <summary>Reads a sale for display. ARGV: now. Returns {now, sale fields, item fields, due holds}.</summary>
    public const string Read = Prelude +
        """
        local now = now_ms(ARGV[1])
        return { fmt(now), redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]),
                 redis.call('ZCOUNT', KEYS[5], '-inf', fmt(now)) }
        """;

    /// <summary>Reads one reservation. ARGV: now, id. Returns {now, record or nil}.</summary>
    public const string ReadReservation = Prelude +
        """
        return { fmt(now_ms(ARGV[1])), redis.call('HGET', KEYS[4], ARGV[2]) }
        """;

    /// <summary>
    /// Creates a sale's keys unless they exist. ARGV: starts, ends, shop, name, expire-at ms, then per item
    /// product, stock, price, limit. Placeholder members keep the keys (and their expiry) alive while empty.
    /// Returns 'created' or 'exists'.
    /// </summary>
    public const string Create = Prelude +
        """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
        local products = {}
        for i = 6, #ARGV, 4 do
          local p = ARGV[i]
          products[#products + 1] = p
          redis.call('HSET', KEYS[2], p .. '|stock', ARGV[i + 1], p .. '|reserved', '0', p .. '|confirmed', '0',
            p .. '|price', ARGV[i + 2], p .. '|limit', ARGV[i + 3])
        end
        redis.call('HSET', KEYS[1], 'starts', ARGV[1], 'ends', ARGV[2], 'cancelled', '0', 'shop', ARGV[3],
          'name', ARGV[4], 'products', table.concat(products, '|'), 'expire', ARGV[5])
        redis.call('HSET', KEYS[3], '_', '0')
        redis.call('HSET', KEYS[4], '_', '')
        redis.call('ZADD', KEYS[5], '+inf', '_')
        redis.call('XADD', KEYS[6], '*', 'r', '_')
        redis.call('HSET', KEYS[7], '_', '0')
        for i = 1, 7 do redis.call('PEXPIREAT', KEYS[i], ARGV[5]) end
        return 'created'
        """;

    /// <summary>
    /// Replaces a sale's window, name and items, only before it starts. ARGV: now, starts, ends, name, expire-at ms,
    /// then per item product, stock, price, limit. Returns 'updated', 'not_found', 'cancelled' or 'started'.
    /// </summary>
    public const string Update = Prelude +
        """
        local now = now_ms(ARGV[1])
        local sale = redis.call('HMGET', KEYS[1], 'starts', 'cancelled', 'products')
        if not sale[1] then return 'not_found' end
        if sale[2] == '1' then return 'cancelled' end
        if now >= tonumber(sale[1]) then return 'started' end
        for p in string.gmatch(sale[3], '[^|]+') do
          redis.call('HDEL', KEYS[2], p .. '|stock', p .. '|reserved', p .. '|confirmed', p .. '|price', p .. '|limit')
        end
        local products = {}
        for i = 6, #ARGV, 4 do
          local p = ARGV[i]
          products[#products + 1] = p
          redis.call('HSET', KEYS[2], p .. '|stock', ARGV[i + 1], p .. '|reserved', '0', p .. '|confirmed', '0',
            p .. '|price', ARGV[i + 2], p .. '|limit', ARGV[i + 3])
        end
        redis.call('HSET', KEYS[1], 'starts', ARGV[2], 'ends', ARGV[3], 'name', ARGV[4],
          'products', table.concat(products, '|'), 'expire', ARGV[5])
        for i = 1, 7 do redis.call('PEXPIREAT', KEYS[i], ARGV[5]) end
        return 'updated'
        """;

    /// <summary>Cancels a sale that has not ended. ARGV: now. Returns 'cancelled', 'already_cancelled', 'ended' or 'not_found'.</summary>
    public const string Cancel = Prelude +
        """
        local status = sale_state(now_ms(ARGV[1]))
        if status == 'not_found' then return 'not_found' end
        if status == 'cancelled' then return 'already_cancelled' end
        if status == 'ended' then return 'ended' end
        redis.call('HSET', KEYS[1], 'cancelled', '1')
        return 'cancelled'
        """;

    /// <summary>
    /// The rate limiter on its own (for ASP.NET Core's middleware), on the same state as the reserve script.
    /// ARGV: user, limit, period ms, permits, now. Returns ms to wait (0 = acquired).
    /// </summary>
    public const string RateLimit = Prelude +
        """
        return rate_limit(ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), now_ms(ARGV[5]))
        """;
}
