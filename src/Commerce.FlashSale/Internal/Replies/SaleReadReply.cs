using System.Globalization;
using StackExchange.Redis;

namespace Commerce.FlashSale.Internal;

/// <summary>
/// The reply of <c>read.lua</c>, decoded into a snapshot (null when Redis has no such sale); for a sale split over
/// buckets, with the items of the other buckets: stock is the item's total, reserved and confirmed the sums.
/// </summary>
internal static class SaleReadReply
{
    public static (FlashSaleSnapshot? Snapshot, bool Recovering) Decode(RedisResult result, Guid saleId, IReadOnlyList<HashEntry[]> otherBuckets)
    {
        var parts = result.Parts();
        var sale = parts[1].Map();
        if (!sale.TryGetValue("starts", out var startsAt))
        {
            return (null, false);
        }

        if (sale.GetValueOrDefault("recovering") == "1")
        {
            return (null, true);
        }

        var now = parts[0].Time();
        var items = parts[2].Map();
        int Field(string product, string name) => int.Parse(items[$"{product}|{name}"], CultureInfo.InvariantCulture);
        int Sum(string product, string name) => Field(product, name)
            + otherBuckets.Sum(b => b.Where(e => e.Name == $"{product}|{name}").Sum(e => (int)e.Value));
        var products = sale["products"].Split('|', StringSplitOptions.RemoveEmptyEntries);
        var starts = ReservationRecord.Time(startsAt);
        var ends = ReservationRecord.Time(sale["ends"]);
        return (new FlashSaleSnapshot
        {
            Id = saleId,
            ShopId = sale["shop"],
            Name = sale["name"],
            StartsAt = starts,
            EndsAt = ends,
            AsOf = now,
            Status = sale["cancelled"] == "1" ? FlashSaleStatus.Cancelled : now < starts ? FlashSaleStatus.Scheduled : now >= ends ? FlashSaleStatus.Ended : FlashSaleStatus.Active,
            Items = products.Select(p =>
            {
                var stock = otherBuckets.Count == 0 ? Field(p, "stock") : Field(p, "total");
                var reserved = Sum(p, "reserved");
                var confirmed = Sum(p, "confirmed");
                return new FlashSaleItem(p, stock, stock - reserved - confirmed, reserved, confirmed,
                    decimal.Parse(items[$"{p}|price"], CultureInfo.InvariantCulture), Field(p, "limit"));
            }).ToArray(),
        }, false);
    }
}
