using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// What this instance learned recently about sold-out items: after Redis answered "sold out, none left" for an item,
/// further reserve attempts for it are answered from here for <see cref="FlashSaleOptions.SoldOutMemoryDuration"/>,
/// without running the reserve script. Units coming back through this instance (a release, expired holds) forget the
/// sale at once; on other instances the memory runs out within that duration, so a unit back is sold again within it.
/// </summary>
internal sealed class SoldOutMemory(IOptions<FlashSaleOptions> options, TimeProvider time)
{
    private const int MaxItems = 10_000;
    private readonly ConcurrentDictionary<(Guid Sale, string Product), long> _until = new();
    private readonly ConcurrentDictionary<Guid, long> _generations = new();
    private readonly long _duration = (long)(options.Value.SoldOutMemoryDuration.TotalSeconds * time.TimestampFrequency);

    /// <summary>Whether the item is known sold out right now.</summary>
    public bool IsSoldOut(Guid sale, string product)
    {
        if (_duration == 0 || !_until.TryGetValue((sale, product), out var until))
        {
            return false;
        }

        if (time.GetTimestamp() < until)
        {
            return true;
        }

        _until.TryRemove(KeyValuePair.Create((sale, product), until));
        return false;
    }

    /// <summary>The sale's generation, read before asking Redis: a <see cref="Forget"/> in between bumps it.</summary>
    public long Generation(Guid sale) => _generations.GetValueOrDefault(sale);

    /// <summary>Redis said the item has no units left, unless units came back since <paramref name="generation"/>.</summary>
    public void Remember(Guid sale, string product, long generation)
    {
        if (_duration == 0 || Generation(sale) != generation)
        {
            return;
        }

        if (_until.Count >= MaxItems)
        {
            _until.Clear();   // a bound, not a cache policy: entries live a second or so anyway
        }

        _until[(sale, product)] = time.GetTimestamp() + _duration;
    }

    /// <summary>Units of the sale came back through this instance.</summary>
    public void Forget(Guid sale)
    {
        _generations.AddOrUpdate(sale, 1, static (_, g) => g + 1);
        foreach (var key in _until.Keys)
        {
            if (key.Sale == sale)
            {
                _until.TryRemove(key, out _);
            }
        }
    }
}
