namespace Commerce.StoreSimulator;

/// <summary>
/// The storefront's own truth: a catalogue and orders, generated from a seed, with the latest version of everything it
/// has sent. <see cref="Expected"/> computes what the dashboard must show from it.
/// </summary>
public sealed class StoreModel
{
    private static readonly string[] Platforms = ["shopee", "lazada", "tiktok", "web"];
    private static readonly string[] Categories = ["snacks", "drinks", "beauty", "home", "fresh"];
    private readonly Random _random;
    private readonly Dictionary<string, Order> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Product> _products = new(StringComparer.Ordinal);
    private readonly string _run;
    private int _nextOrder;

    public StoreModel(string shopId, int seed, TimeProvider? time = null)
    {
        ShopId = shopId;
        _random = new Random(seed);
        _run = ((uint)seed).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);   // order ids of different runs never collide
        Time = time ?? TimeProvider.System;
    }

    public string ShopId { get; }

    /// <summary>
    /// The prefix of orders placed live (<see cref="PlaceOrder"/>); the history's orders use the seed's. Give each run
    /// its own, so a second run with the same seed replaces the history (same ids) but adds its live orders.
    /// </summary>
    public string? LiveRun { get; init; }

    public TimeProvider Time { get; }

    public string Currency { get; } = "THB";

    public IReadOnlyCollection<Product> Products => _products.Values;

    public IReadOnlyCollection<Order> Orders => _orders.Values;

    public sealed record Product(string ProductId, string Name, string Sku, string Category, decimal Price, decimal Cost, int Stock, DateTimeOffset? ExpiresAt, DateTimeOffset UpdatedAt);

    public sealed record Line(string ProductId, int Quantity, decimal UnitPrice, decimal UnitCost);

    /// <summary>A partial refund (<c>orders.refunded</c>): units of one line given back for an amount.</summary>
    public sealed record Refund(string RefundId, DateTimeOffset RefundedAt, string ProductId, int Quantity, decimal Amount);

    /// <summary>
    /// An order with its order-level amounts (discount, shipping, tax, the platform's fee), whether it was ever paid, when it
    /// was first cancelled or refunded, and its partial refunds.
    /// </summary>
    public sealed record Order(
        string OrderId, string Platform, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<Line> Lines,
        decimal Discount = 0, decimal Shipping = 0, decimal Tax = 0, decimal PlatformFee = 0)
    {
        /// <summary>It was paid, so it is a sale on its day whatever happens to it later.</summary>
        public bool Paid { get; init; } = Status is "paid" or "shipped" or "completed" or "refunded";

        /// <summary>When it was first cancelled or refunded: the day a full refund is booked.</summary>
        public DateTimeOffset? RefundedAt { get; init; } = Status is "cancelled" or "refunded" ? UpdatedAt : null;

        public IReadOnlyList<Refund> Refunds { get; init; } = [];

        /// <summary>A sale: paid (a refund later is booked on its own day).</summary>
        public bool Counts => Paid;

        /// <summary>Net sales on its day: price x quantity minus the discount.</summary>
        public decimal Revenue => Lines.Sum(l => l.Quantity * l.UnitPrice) - Discount;

        public decimal Cost => Lines.Sum(l => l.Quantity * l.UnitCost);

        /// <summary>Gross profit on its day: net sales minus cost of goods minus the platform's fee.</summary>
        public decimal Profit => Revenue - Cost - PlatformFee;

        /// <summary>Units of a product not refunded yet.</summary>
        public int Left(Line line) => line.Quantity - Refunds.Where(r => r.ProductId == line.ProductId).Sum(r => r.Quantity);
    }

    /// <summary>
    /// Net sales (after returns), orders, gross profit (after platform fees and returns), units sold, platform fees and
    /// returns, as the reports define them.
    /// </summary>
    public sealed record Totals(decimal Revenue, int Orders, decimal Profit, int Units, decimal PlatformFees, decimal Returns = 0);

    public IReadOnlyList<Product> CreateCatalogue(int count)
    {
        var now = Time.GetUtcNow();
        for (var i = 1; i <= count; i++)
        {
            var price = Math.Round((decimal)(_random.NextDouble() * 900 + 20), 2);
            var cost = Math.Round(price * (decimal)(0.4 + _random.NextDouble() * 0.4), 2);
            var category = Categories[_random.Next(Categories.Length)];
            DateTimeOffset? expires = category == "fresh" ? now.AddDays(_random.Next(3, 60)) : null;
            var product = new Product($"p-{i:D4}", $"{char.ToUpperInvariant(category[0])}{category[1..]} item {i}", $"SKU-{i:D5}", category, price, cost, _random.Next(5, 400), expires, now);
            _products[product.ProductId] = product;
        }

        return [.. _products.Values];
    }

    /// <summary>Orders over the last <paramref name="days"/> days, about <paramref name="perDay"/> a day, most completed.</summary>
    public IReadOnlyList<Order> CreateHistory(int days, int perDay)
    {
        var now = Time.GetUtcNow();
        var created = new List<Order>();
        for (var day = days; day >= 1; day--)
        {
            var count = Math.Max(0, perDay + _random.Next(-perDay / 3, perDay / 3 + 1));
            for (var i = 0; i < count; i++)
            {
                var at = now.AddDays(-day).AddSeconds(_random.Next(0, 86_400));
                var status = _random.NextDouble() switch { < 0.05 => "cancelled", < 0.08 => "refunded", < 0.12 => "shipped", _ => "completed" };
                created.Add(Add(NewOrder(at, status, at.AddHours(2))));
            }
        }

        return created;
    }

    /// <summary>A new order placed now (pending or paid).</summary>
    public Order PlaceOrder() => Add(NewOrder(Time.GetUtcNow(), _random.NextDouble() < 0.5 ? "pending" : "paid", Time.GetUtcNow(), LiveRun));

    /// <summary>Moves a random open order one step (pending → paid → shipped → completed; sometimes cancelled or refunded).</summary>
    public Order? AdvanceOrder()
    {
        var open = _orders.Values.Where(o => o.Status is "pending" or "paid" or "shipped").ToList();
        if (open.Count == 0)
        {
            return null;
        }

        var order = open[_random.Next(open.Count)];
        var next = order.Status switch
        {
            "pending" => _random.NextDouble() < 0.15 ? "cancelled" : "paid",
            "paid" => _random.NextDouble() < 0.1 ? "refunded" : "shipped",
            _ => _random.NextDouble() < 0.05 ? "refunded" : "completed",
        };
        var at = Later(order.UpdatedAt);
        return Add(order with { Status = next, UpdatedAt = at, Paid = order.Paid || next is "paid" or "shipped" or "completed" or "refunded", RefundedAt = order.RefundedAt ?? (next is "cancelled" or "refunded" ? at : null) });
    }

    /// <summary>Refunds one unit of a line of a random paid, open order, at its price: a partial refund.</summary>
    public (Order Order, Refund Refund)? RefundPart()
    {
        var candidates = _orders.Values.Where(o => o.Paid && o.Status is "paid" or "shipped" or "completed" && o.Lines.Any(l => o.Left(l) > 0)).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var order = candidates[_random.Next(candidates.Count)];
        var line = order.Lines.Where(l => order.Left(l) > 0).ElementAt(0);
        var refund = new Refund($"rf-{_run}-{order.Refunds.Count + 1}-{order.OrderId}", Later(order.UpdatedAt), line.ProductId, 1, line.UnitPrice);
        return (Add(order with { Refunds = [.. order.Refunds, refund] }), refund);
    }

    /// <summary>A stock change of a random product.</summary>
    public Product ChangeStock()
    {
        var product = _products.Values.ElementAt(_random.Next(_products.Count));
        var updated = product with { Stock = Math.Max(0, product.Stock + _random.Next(-20, 40)), UpdatedAt = Later(product.UpdatedAt) };
        _products[updated.ProductId] = updated;
        return updated;
    }

    /// <summary>
    /// What the dashboard must show between <paramref name="from"/> and <paramref name="to"/>: sales of the paid orders
    /// created then, and the refunds made then (partial ones, and full ones of what the partial refunds left).
    /// </summary>
    public Totals Expected(DateTimeOffset from, DateTimeOffset to)
    {
        bool In(DateTimeOffset at) => at >= from && at < to;
        var sold = _orders.Values.Where(o => o.Paid && In(o.CreatedAt)).ToList();
        var partial = _orders.Values.Where(o => o.Paid).SelectMany(o => o.Refunds.Select(r => (Order: o, Refund: r))).Where(x => In(x.Refund.RefundedAt)).ToList();
        var full = _orders.Values.Where(o => o.Paid && o.Status is "cancelled" or "refunded" && o.RefundedAt is { } at && In(at)).ToList();
        decimal FullReturns(Order o) => Math.Max(o.Revenue - o.Refunds.Sum(r => r.Amount), 0);
        decimal CostBack(Order o) => o.Lines.Sum(l => Math.Max(o.Left(l), 0) * l.UnitCost);
        var returns = partial.Sum(x => x.Refund.Amount) + full.Sum(FullReturns);
        var costBack = partial.Sum(x => x.Refund.Quantity * x.Order.Lines.First(l => l.ProductId == x.Refund.ProductId).UnitCost) + full.Sum(CostBack);
        return new Totals(
            sold.Sum(o => o.Revenue) - returns,
            sold.Count,
            sold.Sum(o => o.Profit) - returns + costBack,
            sold.Sum(o => o.Lines.Sum(l => l.Quantity)),
            sold.Sum(o => o.PlatformFee),
            returns);
    }

    private Order NewOrder(DateTimeOffset createdAt, string status, DateTimeOffset updatedAt, string? run = null)
    {
        var lines = Enumerable.Range(0, _random.Next(1, 5))
            .Select(_ => _products.Values.ElementAt(_random.Next(_products.Count)))
            .DistinctBy(p => p.ProductId)
            .Select(p => new Line(p.ProductId, _random.Next(1, 4), p.Price, p.Cost))
            .ToList();
        // A voucher on a quarter of the orders, paid shipping on half, 7% VAT, and each marketplace's commission.
        var gross = lines.Sum(l => l.Quantity * l.UnitPrice);
        var discount = _random.NextDouble() < 0.25 ? Math.Round(gross * _random.Next(5, 16) / 100m, 2) : 0m;
        var platform = Platforms[_random.Next(Platforms.Length)];
        var fee = Math.Round((gross - discount) * platform switch { "shopee" => 0.06m, "lazada" => 0.05m, "tiktok" => 0.04m, _ => 0m }, 2);
        return new Order($"o-{run ?? _run}-{++_nextOrder:D6}", platform, status, createdAt, updatedAt, lines,
            discount, _random.NextDouble() < 0.5 ? 40m : 0m, Math.Round((gross - discount) * 0.07m, 2), fee);
    }

    private Order Add(Order order)
    {
        _orders[order.OrderId] = order;
        return order;
    }

    /// <summary>A version strictly after <paramref name="previous"/> (and not before now).</summary>
    private DateTimeOffset Later(DateTimeOffset previous)
    {
        var now = Time.GetUtcNow();
        return now > previous ? now : previous.AddMilliseconds(1);
    }
}
