namespace Commerce.Analytics.Tests;

/// <summary>
/// The reports recomputed from raw events, the obvious way, to compare the package against. An order's lines, platform,
/// currency and creation time come from its newest snapshot; its status from the newest event that carries one
/// (snapshots and status changes). Newest is by <c>updatedAt</c>, then by lifecycle rank (<see cref="Rank"/>) between
/// events of the same second. An order counts when any of its events shows it paid (paid, shipped, completed,
/// refunded) or it has a refund: its sale is booked on its creation day, each partial refund on its own day, and, when
/// its status is cancelled or refunded, a full refund of what the partial refunds left on the day of its earliest
/// cancelled or refunded event not older than its latest other event. A refunded unit is valued at the lowest price and cost of its product in the order.
/// </summary>
public sealed class BruteForce(TimeZoneInfo zone, IEnumerable<object> events)
{
    private readonly List<object> _events = events.ToList();

    /// <summary>One contribution to the reports: without a product for the order totals, with one for the product's.</summary>
    public sealed record Row(DateOnly Day, string Platform, string Currency, string? Product, decimal Sales, decimal Discounts, decimal Returns,
        decimal Shipping, decimal Taxes, decimal Fees, decimal Cost, int Units, int ReturnedUnits, int Orders);

    public IReadOnlyList<(OrderSnapshot Order, OrderStatus Status)> Orders()
    {
        var snapshots = _events.OfType<OrderSnapshot>().GroupBy(o => (o.ShopId, o.OrderId));
        var changes = _events.OfType<OrderStatusChange>().ToLookup(c => (c.ShopId, c.OrderId));
        var result = new List<(OrderSnapshot, OrderStatus)>();
        foreach (var group in snapshots)
        {
            var latest = group.MaxBy(o => (o.UpdatedAt, Rank(o.Status)))!;
            result.Add((latest, StatusEvents(group.Key).MaxBy(e => (e.UpdatedAt, Rank(e.Status))).Status));
        }

        return result;

        IEnumerable<(DateTimeOffset UpdatedAt, OrderStatus Status)> StatusEvents((string, string) key) =>
            snapshots.First(g => g.Key == key).Select(o => (o.UpdatedAt, o.Status)).Concat(changes[key].Select(c => (c.UpdatedAt, c.Status)));
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

    private static bool Proves(OrderStatus s) => SalesStatuses.Counts(s) || s == OrderStatus.Refunded;

    private static bool IsFullRefund(OrderStatus s) => s is OrderStatus.Cancelled or OrderStatus.Refunded;

    private DateOnly Local(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    /// <summary>Every contribution of every order that was paid.</summary>
    public IEnumerable<Row> Rows()
    {
        var refunds = _events.OfType<OrderRefund>().DistinctBy(r => (r.ShopId, r.OrderId, r.RefundId)).ToLookup(r => (r.ShopId, r.OrderId));
        var statusEvents = _events.OfType<OrderSnapshot>().Select(o => (Key: (o.ShopId, o.OrderId), o.UpdatedAt, o.Status))
            .Concat(_events.OfType<OrderStatusChange>().Select(c => (Key: (c.ShopId, c.OrderId), c.UpdatedAt, c.Status))).ToLookup(e => e.Key);
        foreach (var (o, status) in Orders())
        {
            var key = (o.ShopId, o.OrderId);
            var orderRefunds = refunds[key].ToList();
            if (!statusEvents[key].Any(e => Proves(e.Status)) && orderRefunds.Count == 0)
            {
                continue;   // never paid: never counts
            }

            var sold = o.Lines.GroupBy(l => l.ProductId).ToDictionary(g => g.Key, g => (
                Q: g.Sum(l => l.Quantity), Value: g.Sum(l => l.Quantity * l.UnitPrice), Cost: g.Sum(l => l.Quantity * l.UnitCost), Price: g.Min(l => l.UnitPrice), UnitCost: g.Min(l => l.UnitCost)));
            decimal UnitCost(string product) => sold.TryGetValue(product, out var s) ? s.UnitCost : 0m;
            var day = Local(o.CreatedAt);
            yield return new Row(day, o.Platform, o.Currency, null, sold.Values.Sum(s => s.Value), o.Discount, 0, o.Shipping, o.Tax, o.PlatformFee,
                sold.Values.Sum(s => s.Cost), sold.Values.Sum(s => s.Q), 0, 1);
            foreach (var (product, s) in sold)
            {
                yield return new Row(day, o.Platform, o.Currency, product, s.Value, 0, 0, 0, 0, 0, s.Cost, s.Q, 0, 0);
            }

            foreach (var r in orderRefunds)
            {
                var refundDay = Local(r.RefundedAt);
                yield return new Row(refundDay, o.Platform, o.Currency, null, 0, 0, r.Lines.Sum(l => l.Amount), -r.Shipping, 0, 0,
                    -r.Lines.Sum(l => l.Quantity * UnitCost(l.ProductId)), 0, r.Lines.Sum(l => l.Quantity), 0);
                foreach (var g in r.Lines.GroupBy(l => l.ProductId))
                {
                    yield return new Row(refundDay, o.Platform, o.Currency, g.Key, 0, 0, g.Sum(l => l.Amount), 0, 0, 0, -g.Sum(l => l.Quantity) * UnitCost(g.Key), 0, g.Sum(l => l.Quantity), 0);
                }
            }

            if (IsFullRefund(status))
            {
                // the earliest cancelled or refunded event not older than the latest other one (same instant: the refund is later)
                var active = statusEvents[key].Where(e => !IsFullRefund(e.Status)).Select(e => (DateTimeOffset?)e.UpdatedAt).Max();
                var refundDay = Local(statusEvents[key].Where(e => IsFullRefund(e.Status) && (active is null || e.UpdatedAt >= active)).Min(e => e.UpdatedAt));
                var partial = orderRefunds.SelectMany(r => r.Lines).GroupBy(l => l.ProductId).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
                var rest = sold.Select(p => partial.TryGetValue(p.Key, out var q)
                    ? (Product: p.Key, Value: Math.Max(p.Value.Q - q, 0) * p.Value.Price, Cost: Math.Max(p.Value.Q - q, 0) * p.Value.UnitCost, Q: Math.Max(p.Value.Q - q, 0))
                    : (Product: p.Key, p.Value.Value, p.Value.Cost, p.Value.Q)).ToList();
                var returns = Math.Max(sold.Values.Sum(s => s.Value) - o.Discount - orderRefunds.Sum(r => r.Lines.Sum(l => l.Amount)), 0);
                var shipping = Math.Max(o.Shipping - orderRefunds.Sum(r => r.Shipping), 0);
                yield return new Row(refundDay, o.Platform, o.Currency, null, 0, 0, returns, -shipping, -o.Tax, 0, -rest.Sum(t => t.Cost), 0, rest.Sum(t => t.Q), 0);
                foreach (var t in rest)
                {
                    yield return new Row(refundDay, o.Platform, o.Currency, t.Product, 0, 0, t.Value, 0, 0, 0, -t.Cost, 0, t.Q, 0);
                }
            }
        }
    }

    private IEnumerable<Row> OrderRows(string currency, DateOnly from, DateOnly to) =>
        Rows().Where(r => r.Product is null && r.Currency == currency && r.Day >= from && r.Day <= to);

    public IReadOnlyList<SalesPoint> Sales(string currency, DateOnly from, DateOnly to, SalesInterval interval)
    {
        var byBucket = OrderRows(currency, from, to)
            .GroupBy(r => Bucket(r.Day, interval))
            .ToDictionary(g => g.Key, g => new SalesPoint(g.Key, g.Sum(r => r.Sales - r.Discounts - r.Returns), g.Sum(r => r.Orders), g.Sum(r => r.Units))
            {
                GrossProfit = g.Sum(r => r.Sales - r.Discounts - r.Returns - r.Cost - r.Fees),
                Returns = g.Sum(r => r.Returns),
            });
        var points = new List<SalesPoint>();
        for (var bucket = Bucket(from, interval); bucket <= Bucket(to, interval); bucket = Next(bucket, interval))
        {
            points.Add(byBucket.TryGetValue(bucket, out var point) ? point : new SalesPoint(bucket, 0, 0, 0));
        }

        return points;
    }

    /// <summary>Net sales (gross minus discounts minus returns), cost of goods, orders, units, and the other amounts.</summary>
    public (decimal Revenue, decimal Cost, int Orders, int Units, decimal Discounts, decimal Shipping, decimal Taxes, decimal Fees, decimal Returns) Totals(string currency, DateOnly from, DateOnly to)
    {
        var rows = OrderRows(currency, from, to).ToList();
        return (rows.Sum(r => r.Sales - r.Discounts - r.Returns), rows.Sum(r => r.Cost), rows.Sum(r => r.Orders), rows.Sum(r => r.Units),
            rows.Sum(r => r.Discounts), rows.Sum(r => r.Shipping), rows.Sum(r => r.Taxes), rows.Sum(r => r.Fees), rows.Sum(r => r.Returns));
    }

    /// <summary>Per product with anything in the range: price x quantity minus returns, cost, units sold, returns, units returned.</summary>
    public IReadOnlyDictionary<string, (decimal Revenue, decimal Cost, int Units, decimal Returns, int ReturnedUnits)> Products(string currency, DateOnly from, DateOnly to) =>
        Rows().Where(r => r.Product is not null && r.Currency == currency && r.Day >= from && r.Day <= to)
            .GroupBy(r => r.Product!)
            .Select(g => (g.Key, Revenue: g.Sum(r => r.Sales - r.Returns), Cost: g.Sum(r => r.Cost), Units: g.Sum(r => r.Units), Returns: g.Sum(r => r.Returns), ReturnedUnits: g.Sum(r => r.ReturnedUnits)))
            .Where(p => p.Units != 0 || p.Returns != 0 || p.ReturnedUnits != 0)
            .ToDictionary(p => p.Key, p => (p.Revenue, p.Cost, p.Units, p.Returns, p.ReturnedUnits));

    public IReadOnlyDictionary<string, (decimal Revenue, int Orders, int Units, decimal Cost, decimal Fees, decimal Returns)> Platforms(string currency, DateOnly from, DateOnly to) =>
        OrderRows(currency, from, to)
            .GroupBy(r => r.Platform)
            .Where(g => g.Sum(r => r.Orders) != 0 || g.Sum(r => r.Sales) != 0 || g.Sum(r => r.Units) != 0 || g.Sum(r => r.Returns) != 0)
            .ToDictionary(g => g.Key, g => (g.Sum(r => r.Sales - r.Discounts - r.Returns), g.Sum(r => r.Orders), g.Sum(r => r.Units), g.Sum(r => r.Cost), g.Sum(r => r.Fees), g.Sum(r => r.Returns)));

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
