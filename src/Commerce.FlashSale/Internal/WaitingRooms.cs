using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// Sales' waiting rooms: joining (<c>queue.lua</c>, one script on bucket 0's slot) and admission tokens. A token is
/// <c>{expires unix ms}.{HMAC-SHA256 of sale, user and expiry}</c> under a random secret the sale keeps in Redis (set by
/// the first join), so any instance can check one without a round trip; its expiry is checked by this instance's clock.
/// Which sales have a room, and their secrets, are learned from Redis once and kept.
/// </summary>
internal sealed class WaitingRooms(FlashSaleConnections connections, FlashSaleKeys keys, SaleClock clock, TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, Room> _rooms = new();

    public async Task<QueueTicket> JoinAsync(Guid saleId, string userId)
    {
        var db = await connections.RedisAsync().ConfigureAwait(false);
        var early = RandomNumberGenerator.GetInt32(int.MaxValue) * 256L + RandomNumberGenerator.GetInt32(256); // < 2^39
        var candidate = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var home = keys.For(saleId);
        var reply = (RedisResult[])(await RedisErrors.RunAsync(() => db.ScriptEvaluateAsync(
            FlashSaleScripts.Queue, [home[0], home[1], keys.Queue(saleId)], [clock.Now(), userId, early, candidate])).ConfigureAwait(false))!;
        var kind = reply[0].Str();
        if (reply.Length < 6)
        {
            return new QueueTicket
            {
                Outcome = kind switch
                {
                    "no_room" => QueueOutcome.NoWaitingRoom,
                    "not_active" => QueueOutcome.SaleNotActive,
                    "recovering" => QueueOutcome.Recovering,
                    _ => QueueOutcome.NotFound,
                },
            };
        }

        var (rank, length, through) = ((long)reply[1], (long)reply[2], (long)reply[3]);
        var room = new Room(Convert.FromBase64String(reply[4].Str()), TimeSpan.FromMilliseconds(reply[5].Long()));
        _rooms[saleId] = room;
        var ticket = new QueueTicket { Outcome = QueueOutcome.Waiting, Rank = rank, QueueLength = length, AdmittedThrough = through, Position = rank - through + 1 };
        if (kind == "sold_out")
        {
            return ticket with { Outcome = QueueOutcome.SoldOut };
        }

        if (kind != "admitted")
        {
            return ticket;
        }

        var expires = time.GetUtcNow() + room.Lifetime;
        return ticket with { Outcome = QueueOutcome.Admitted, Position = 0, AdmissionToken = Sign(room.Secret, saleId, userId, expires), AdmissionExpiresAt = expires };
    }

    /// <summary>
    /// Whether the sale lets this request reserve: true for a sale without a room, or with a valid token of this user.
    /// </summary>
    public async ValueTask<bool> AdmitsAsync(Guid saleId, string userId, string? token)
    {
        if (await CheckAsync(saleId, userId, token).ConfigureAwait(false))
        {
            return true;
        }

        // The secret this instance knows may be one a rebuild replaced: ask Redis once more.
        return token is not null && _rooms.TryRemove(saleId, out _) && await CheckAsync(saleId, userId, token).ConfigureAwait(false);
    }

    private async ValueTask<bool> CheckAsync(Guid saleId, string userId, string? token)
    {
        if (!_rooms.TryGetValue(saleId, out var room))
        {
            var db = await connections.RedisAsync().ConfigureAwait(false);
            var sale = await RedisErrors.RunAsync(() => db.HashGetAsync(keys.For(saleId)[0], ["starts", "room_rate", "room_key", "room_ttl"])).ConfigureAwait(false);
            if (sale[0].IsNull)
            {
                return true; // Redis has no such sale: the reserve script says so (and starts a recovery)
            }

            if (sale[1].IsNull)
            {
                room = _rooms[saleId] = Room.None;
            }
            else if (sale[2].IsNull)
            {
                return false; // a room nobody has joined yet: no token can be valid
            }
            else
            {
                room = _rooms[saleId] = new Room(Convert.FromBase64String((string)sale[2]!), TimeSpan.FromMilliseconds((long)sale[3]));
            }
        }

        if (room.Secret.Length == 0)
        {
            return true;
        }

        if (token is null || token.Split('.') is not [var expiresText, _] || !long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresMs))
        {
            return false;
        }

        var expires = DateTimeOffset.FromUnixTimeMilliseconds(expiresMs);
        if (expires <= time.GetUtcNow())
        {
            return false;
        }

        var expected = Sign(room.Secret, saleId, userId, expires);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(token));
    }

    /// <summary>Records that a sale has no waiting room (known at creation), so its reserves never ask Redis.</summary>
    public void RememberNone(Guid saleId) => _rooms[saleId] = Room.None;

    private static string Sign(byte[] secret, Guid saleId, string userId, DateTimeOffset expires)
    {
        var ms = expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"{saleId:N}|{userId}|{ms}"));
        return ms + "." + Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private sealed record Room(byte[] Secret, TimeSpan Lifetime)
    {
        public static readonly Room None = new([], TimeSpan.Zero);
    }
}
