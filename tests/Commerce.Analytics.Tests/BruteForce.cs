namespace Commerce.Analytics.Tests;

/// <summary>
/// The reports recomputed from raw events, the obvious way, to compare the package against. An order's lines, platform,
/// currency and creation time come from its newest snapshot; its status from the newest event that carries one
/// (snapshots and status changes); it counts when that status is in <see cref="SalesStatuses"/>. Newest is by
/// <c>updatedAt</c>, then by lifecycle rank (<see cref="Rank"/>) between events of the same second.
/// </summary>
public sealed class BruteForce(TimeZoneInfo zone, IEnumerable<object> events)
{
    private readonly List<object> _events = events.ToList();

    public IReadOnlyList<(OrderSnapshot Order, OrderStatus Status)> Orders()
    {
        var snapshots = _events.OfType<OrderSnapshot>().GroupBy(o => (o.ShopId, o.OrderId));
        var changes = _events.OfType<OrderStatusChange>().ToLookup(c => (c.ShopId, c.OrderId));
        var result = new List<(OrderSnapshot, OrderStatus)>();
        foreach (var group in snapshots)
        {
            var latest = group.MaxBy(o => (o.UpdatedAt, Rank(o.Status)))!;
            var statusEvents = group.Select(o => (o.UpdatedAt, o.Status)).Concat(changes[group.Key].Select(c => (c.UpdatedAt, c.Status)));
            result.Add((latest, statusEvents.MaxBy(e => (e.UpdatedAt, Rank(e.Status))).Status));
        }

        return result;
    }

    /// <summary>The lifecycle rank that breaks a tie between two events of one order with the same version.</summary>
    public static int Rank(OrderStatus status) => status switch
    {
        OrderStatus.Pending => 0,
        OrderStatus.Paid => 1,
        OrderStatus.Shipped => 2,
        OrderStatus.Completed => 3,
        OrderStatus.Cancelled => 4,
        _ => 5,   // refunded
    };

    public IEnumerable<(OrderSnapshot Order, DateOnly Day)> Counted(string currency) =>
        Orders().Where(o => SalesStatuses.Counts(o.Status) && o.Order.Currency == currency)
            .Select(o => (o.Order, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(o.Order.CreatedAt, zone).DateTime)));

    public IReadOnlyList<SalesPoint> Sales(string currency, DateOnly from, DateOnly to, SalesInterval interval)
    {
        var byBucket = Counted(currency).Where(o => o.Day >= from && o.Day <= to)
            .GroupBy(o => Bucket(o.Day, interval))
            .ToDictionary(g => g.Key, g => new SalesPoint(
                g.Key,
                g.Sum(o => Net(o.Order)),
                g.Count(),
                g.Sum(o => o.Order.Lines.Sum(l => l.Quantity)))
            {
                GrossProfit = g.Sum(o => Net(o.Order) - o.Order.Lines.Sum(l => l.Quantity * l.UnitCost) - o.Order.PlatformFee),
            });
        var points = new List<SalesPoint>();
        for (var bucket = Bucket(from, interval); bucket <= Bucket(to, interval); bucket = Next(bucket, interval))
        {
            points.Add(byBucket.TryGetValue(bucket, out var point) ? point : new SalesPoint(bucket, 0, 0, 0));
        }

        return points;
    }

    /// <summary>Net sales (gross minus discounts), cost of goods, orders, units, and the order-level amounts.</summary>
    public (decimal Revenue, decimal Cost, int Orders, int Units, decimal Discounts, decimal Shipping, decimal Taxes, decimal Fees) Totals(string currency, DateOnly from, DateOnly to)
    {
        var orders = Counted(currency).Where(o => o.Day >= from && o.Day <= to).Select(o => o.Order).ToList();
        return (orders.Sum(Net), orders.Sum(o => o.Lines.Sum(l => l.Quantity * l.UnitCost)),
            orders.Count, orders.Sum(o => o.Lines.Sum(l => l.Quantity)),
            orders.Sum(o => o.Discount), orders.Sum(o => o.Shipping), orders.Sum(o => o.Tax), orders.Sum(o => o.PlatformFee));
    }

    /// <summary>Net sales of an order: price x quantity of its lines minus its discount.</summary>
    public static decimal Net(OrderSnapshot o) => o.Lines.Sum(l => l.Quantity * l.UnitPrice) - o.Discount;

    public IReadOnlyDictionary<string, (decimal Revenue, decimal Cost, int Units)> Products(string currency, DateOnly from, DateOnly to) =>
        Counted(currency).Where(o => o.Day >= from && o.Day <= to).SelectMany(o => o.Order.Lines)
            .GroupBy(l => l.ProductId)
            .ToDictionary(g => g.Key, g => (g.Sum(l => l.Quantity * l.UnitPrice), g.Sum(l => l.Quantity * l.UnitCost), g.Sum(l => l.Quantity)));

    public IReadOnlyDictionary<string, (decimal Revenue, int Orders, int Units, decimal Cost, decimal Fees)> Platforms(string currency, DateOnly from, DateOnly to) =>
        Counted(currency).Where(o => o.Day >= from && o.Day <= to).Select(o => o.Order)
            .GroupBy(o => o.Platform)
            .ToDictionary(g => g.Key, g => (g.Sum(Net), g.Count(),
                g.Sum(o => o.Lines.Sum(l => l.Quantity)), g.Sum(o => o.Lines.Sum(l => l.Quantity * l.UnitCost)), g.Sum(o => o.PlatformFee)));

    public static DateOnly Bucket(DateOnly day, SalesInterval interval) => interval switch
    {
        SalesInterval.Month => new DateOnly(day.Year, day.Month, 1),
        SalesInterval.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)), // ISO: Monday
        _ => day,
    };

    private static DateOnly Next(DateOnly bucket, SalesInterval interval) => interval switch
    {
        SalesInterval.Month => bucket.AddMonths(1),
        SalesInterval.Week => bucket.AddDays(7),
        _ => bucket.AddDays(1),
    };
}
