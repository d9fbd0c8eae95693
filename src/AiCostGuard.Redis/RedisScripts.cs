namespace AiCostGuard.Redis;

/// <summary>
/// The Lua scripts that make every change to a budget window atomic. Amounts are whole numbers: tokens, and cost in
/// nanodollars; Lua compares them as doubles, exact up to 2^53 nanodollars (about $9 million) per window.
/// </summary>
/// <remarks>
/// Keys of one window share a hash tag, so they live in one slot of a cluster: <c>r</c> holds the reservations (id →
/// "input output nanos") and their totals (fields <c>#i #o #c</c>), <c>x</c> their expiry times, <c>d</c> the ids of
/// recent commits (for idempotency), and one hash per bucket the committed totals (fields <c>i o c</c>).
/// </remarks>
internal static class RedisScripts
{
    private const string Common = """
        local now = tonumber(ARGV[2])
        local function fmt(n) return string.format('%d', n) end
        local function split(v)
          local a, b, c = string.match(v, '^(%-?%d+) (%-?%d+) (%-?%d+)$')
          return tonumber(a), tonumber(b), tonumber(c)
        end
        local function release(id)
          local v = redis.call('HGET', KEYS[1], id)
          if v then
            local a, b, c = split(v)
            redis.call('HINCRBY', KEYS[1], '#i', fmt(-a))
            redis.call('HINCRBY', KEYS[1], '#o', fmt(-b))
            redis.call('HINCRBY', KEYS[1], '#c', fmt(-c))
            redis.call('HDEL', KEYS[1], id)
          end
          redis.call('ZREM', KEYS[2], id)
        end
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do release(id) end
        local function commit(id, a, b, c)
          if redis.call('ZSCORE', KEYS[3], id) then return 0 end
          redis.call('HINCRBY', KEYS[4], 'i', fmt(a))
          redis.call('HINCRBY', KEYS[4], 'o', fmt(b))
          redis.call('HINCRBY', KEYS[4], 'c', fmt(c))
          redis.call('ZADD', KEYS[3], now, id)
          return 1
        end
        """;

    /// <summary>
    /// Reserves, or takes or renews a lease. KEYS: r, x, d, then the window's bucket hashes, newest first.
    /// ARGV: 1 id, 2 now (ms), 3 expiry (ms), 4 keys' time to live (s), 5–7 spend to flush, 8 flush id (or empty),
    /// 9–11 carried (still reserved locally), 12–14 wanted, 15–17 minimum, 18 how long commit ids are remembered (ms),
    /// then four per ceiling of the core's table, in its order (<see cref="RedisCeilings"/>): the limit (-1 for none) and
    /// the weights of input tokens, output tokens and nanodollars in what counts against it.
    /// Returns {granted (2 wanted, 1 minimum, 0 refused), the refusing ceiling's 1-based position in the table, its limit, used}.
    /// </summary>
    public const string Reserve = Common + "\n" + """
        if ARGV[8] ~= '' then commit(ARGV[8], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])) end
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[18]))
        release(ARGV[1])
        local ui = tonumber(redis.call('HGET', KEYS[1], '#i') or '0')
        local uo = tonumber(redis.call('HGET', KEYS[1], '#o') or '0')
        local uc = tonumber(redis.call('HGET', KEYS[1], '#c') or '0')
        for k = 4, #KEYS do
          local h = redis.call('HMGET', KEYS[k], 'i', 'o', 'c')
          ui = ui + tonumber(h[1] or '0')
          uo = uo + tonumber(h[2] or '0')
          uc = uc + tonumber(h[3] or '0')
        end
        local function check(a, b, c)
          for j = 19, #ARGV, 4 do
            local limit = tonumber(ARGV[j])
            if limit >= 0 then
              local wi, wo, wc = tonumber(ARGV[j + 1]), tonumber(ARGV[j + 2]), tonumber(ARGV[j + 3])
              local used = wi * ui + wo * uo + wc * uc
              if used + wi * a + wo * b + wc * c > limit then return (j - 15) / 4, limit, used end
            end
          end
          return 0, 0, 0
        end
        local ca, cb, cc = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
        local granted = 2
        local gi, go, gc = ca + tonumber(ARGV[12]), cb + tonumber(ARGV[13]), cc + tonumber(ARGV[14])
        local kind, limit, used = check(gi, go, gc)
        if kind ~= 0 then
          granted = 1
          gi, go, gc = ca + tonumber(ARGV[15]), cb + tonumber(ARGV[16]), cc + tonumber(ARGV[17])
          kind, limit, used = check(gi, go, gc)
          if kind ~= 0 then
            granted = 0
            gi, go, gc = ca, cb, cc
          end
        end
        if gi ~= 0 or go ~= 0 or gc ~= 0 then
          redis.call('HSET', KEYS[1], ARGV[1], fmt(gi) .. ' ' .. fmt(go) .. ' ' .. fmt(gc))
          redis.call('HINCRBY', KEYS[1], '#i', fmt(gi))
          redis.call('HINCRBY', KEYS[1], '#o', fmt(go))
          redis.call('HINCRBY', KEYS[1], '#c', fmt(gc))
          redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
        end
        for k = 1, 4 do redis.call('EXPIRE', KEYS[k], ARGV[4]) end
        return {granted, kind, limit, used}
        """;

    /// <summary>
    /// Commits a call: releases its reservation and adds its actual usage, once per id. KEYS: r, x, d, the bucket.
    /// ARGV: 1 id, 2 now (ms), 3–5 actual, 6 keys' time to live (s), 7 how long commit ids are remembered (ms).
    /// Returns 1 when committed, 0 when the id was already committed.
    /// </summary>
    public const string Commit = Common + "\n" + """
        local done = commit(ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
        if done == 1 then release(ARGV[1]) end
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[7]))
        for k = 1, 4 do redis.call('EXPIRE', KEYS[k], ARGV[6]) end
        return done
        """;

    /// <summary>Reads a window after reclaiming what expired. KEYS: r, x, d, then the bucket hashes. ARGV: 1 unused, 2 now (ms). Returns {ci, co, cc, ri, ro, rc}.</summary>
    public const string Usage = Common + "\n" + """
        local ci, co, cc = 0, 0, 0
        for k = 4, #KEYS do
          local h = redis.call('HMGET', KEYS[k], 'i', 'o', 'c')
          ci = ci + tonumber(h[1] or '0')
          co = co + tonumber(h[2] or '0')
          cc = cc + tonumber(h[3] or '0')
        end
        return {ci, co, cc, tonumber(redis.call('HGET', KEYS[1], '#i') or '0'), tonumber(redis.call('HGET', KEYS[1], '#o') or '0'), tonumber(redis.call('HGET', KEYS[1], '#c') or '0')}
        """;
}
