namespace Commerce.Analytics.Tests;

/// <summary>
/// Random histories (products, orders, updates that move orders across days and platforms, status changes,
/// cancellations and refunds, partial refunds, same-second ties, order-level amounts), each event possibly duplicated, applied in a
/// shuffled order, for two shops at once with the same order ids: every report must equal
/// the brute-force recomputation from the raw events.
/// </summary>
public sealed class RandomizedEventTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    public enum Mode
    {
        /// <summary>One event at a time, shuffled.</summary>
        Sequential,

        /// <summary>Eight at a time, shuffled: events of one order race each other.</summary>
        Concurrent,

        /// <summary>Every snapshot in one bulk sync, then the status changes one at a time.</summary>
        Bulk,

        /// <summary>Half the events one at a time, then the rest in a bulk sync, then again the first half.</summary>
        Mixed,

        /// <summary>Snapshots in batches of 25 (<c>UpsertOrdersAsync</c>), four batches racing, status changes one at a time among them.</summary>
        Batched,
    }

    private static readonly string[] Platforms = ["shopee", "lazada", "tiktok", "web"];
    private static readonly OrderStatus[] Statuses = Enum.GetValues<OrderStatus>();

    public static List<object> Generate(int seed, string shop, DateTimeOffset start, int orders = 80)
    {
        var random = new Random(seed);
        var events = new List<object>();
        decimal Money(int min, int max) => random.Next(min, max) / 100m;
        List<OrderLine> Lines() => Enumerable.Range(0, random.Next(0, 4)).Select(_ =>
        {
            var price = Money(1, 9999);
            return new OrderLine($"p{random.Next(1, 11)}", random.Next(1, 5), price, Math.Round(price * 0.6m, 2));
        }).ToList();

        // Order-level amounts as a storefront sends them: a discount up to 30% of gross sales, shipping, tax, the fee.
        OrderSnapshot Amounts(OrderSnapshot o)
        {
            var gross = o.Lines.Sum(l => l.Quantity * l.UnitPrice);
            var discount = random.NextDouble() < 0.4 ? Math.Round(gross * (decimal)random.NextDouble() * 0.3m, 2) : 0m;
            return o with
            {
                Discount = discount,
                Shipping = random.NextDouble() < 0.5 ? Money(0, 5000) : 0m,
                Tax = Math.Round((gross - discount) * 0.07m, 2),
                PlatformFee = o.Platform == "web" ? 0m : Math.Round((gross - discount) * 0.05m, 2),
            };
        }

        for (var p = 1; p <= 10; p++)
        {
            events.Add(new ProductSnapshot { ShopId = shop, ProductId = $"p{p}", Name = $"Product {p}", Price = Money(100, 5000), Cost = Money(50, 2500), Currency = "USD", Stock = random.Next(0, 50), UpdatedAt = start.AddDays(-1) });
        }

        for (var i = 0; i < orders; i++)
        {
            var created = start.AddMinutes(random.Next(0, 45 * 24 * 60));
            var version = created;
            var order = new OrderSnapshot
            {
                ShopId = shop,
                OrderId = $"o{i}",
                Platform = Platforms[random.Next(Platforms.Length)],
                Status = random.NextDouble() < 0.3 ? OrderStatus.Pending : OrderStatus.Paid,
                Currency = random.NextDouble() < 0.15 ? "EUR" : "USD",
                CreatedAt = created,
                UpdatedAt = version,
                Lines = Lines(),
            };
            order = Amounts(order);
            events.Add(order);
            var ranksAt = new HashSet<int> { BruteForce.Rank(order.Status) };   // snapshot ranks at the current version
            for (var step = random.Next(0, 5); step > 0; step--)
            {
                // A third of the steps keep the same second (storefronts with second-precision clocks): a tie.
                var tie = random.NextDouble() < 0.33;
                if (!tie)
                {
                    version = version.AddMinutes(random.Next(1, 600));
                    ranksAt.Clear();
                }

                switch (random.Next(5))
                {
                    case 3:
                        // A partial refund of some of the goods as the order is now, sometimes with shipping.
                        var goods = order.Lines.Where(_ => random.NextDouble() < 0.6).Select(l =>
                        {
                            var q = random.Next(1, l.Quantity + 1);
                            return new RefundLine(l.ProductId, q, Math.Round(q * l.UnitPrice * (decimal)(0.5 + (random.NextDouble() / 2)), 2));
                        }).ToList();
                        var shipping = goods.Count == 0 || random.NextDouble() < 0.3 ? Money(1, 800) : 0m;
                        events.Add(new OrderRefund { ShopId = shop, OrderId = order.OrderId, RefundId = $"r{i}-{step}", RefundedAt = version.AddMinutes(random.Next(0, 3000)), Lines = goods, Shipping = shipping });
                        break;
                    case 0:
                        events.Add(new OrderStatusChange(shop, order.OrderId, Statuses[random.Next(Statuses.Length)], version));
                        break;
                    case 1:
                        // Two snapshots at one version differ in their lifecycle stage (equal ones would be the same event).
                        var free = Statuses.Where(x => !ranksAt.Contains(BruteForce.Rank(x))).ToArray();
                        if (free.Length == 0)
                        {
                            break;
                        }

                        var next = free[random.Next(free.Length)];
                        ranksAt.Add(BruteForce.Rank(next));
                        order = order with
                        {
                            UpdatedAt = version,
                            Status = next,
                            Lines = random.NextDouble() < 0.5 ? Lines() : order.Lines,
                            CreatedAt = random.NextDouble() < 0.3 ? order.CreatedAt.AddHours(random.Next(-30, 30)) : order.CreatedAt,
                            Platform = random.NextDouble() < 0.2 ? Platforms[random.Next(Platforms.Length)] : order.Platform,
                        };
                        order = Amounts(order);
                        events.Add(order);
                        break;
                    default:
                        events.Add(new OrderStatusChange(shop, order.OrderId, random.NextDouble() < 0.5 ? OrderStatus.Refunded : OrderStatus.Cancelled, version));
                        break;
                }
            }
        }

        var withDuplicates = events.Concat(events.Where(_ => random.NextDouble() < 0.25)).ToList();
        return withDuplicates.OrderBy(_ => random.Next()).ToList();
    }

    public static async Task ApplyAsync(IAnalyticsIngestion ingestion, object e)
    {
        switch (e)
        {
            case ProductSnapshot product:
                await ingestion.UpsertProductAsync(product);
                break;
            case OrderSnapshot order:
                await ingestion.UpsertOrderAsync(order);
                break;
            case OrderStatusChange change:
                await ingestion.ChangeOrderStatusAsync(change);
                break;
            case OrderRefund refund:
                await ingestion.RecordRefundAsync(refund);
                break;
        }
    }

    [IntegrationTheory(TestServer.Postgres)]
    [InlineData(1, Mode.Sequential, "Asia/Bangkok")]
    [InlineData(2, Mode.Sequential, "America/New_York")]
    [InlineData(3, Mode.Concurrent, "Europe/London")]
    [InlineData(4, Mode.Concurrent, "UTC")]
    [InlineData(5, Mode.Bulk, "America/New_York")]
    [InlineData(6, Mode.Mixed, "Asia/Bangkok")]
    [InlineData(7, Mode.Batched, "America/New_York")]
    [InlineData(8, Mode.Batched, "Asia/Bangkok")]
    public async Task EveryReport_EqualsABruteForceRecomputationFromTheRawEvents(int seed, Mode mode, string timeZone)
    {
        // Two shops at once on one schema, with the same order ids and different time zones: neither sees the other.
        await using var h = await AnalyticsHarness.CreateAsync(postgres.ConnectionString);
        await Task.WhenAll(RunShopAsync(h, $"shop-{seed}", seed, mode, timeZone), RunShopAsync(h, $"shop-{seed}-b", seed + 100, mode, "UTC"));
    }

    private static async Task RunShopAsync(AnalyticsHarness h, string shop, int seed, Mode mode, string timeZone)
    {
        await h.Ingestion.SetShopAsync(shop, timeZone, "USD");
        var start = new DateTimeOffset(2026, 2, 20, 0, 0, 0, TimeSpan.Zero); // spans the March DST change
        var events = Generate(seed, shop, start);

        switch (mode)
        {
            case Mode.Sequential:
                foreach (var e in events)
                {
                    await ApplyAsync(h.Ingestion, e);
                }

                break;
            case Mode.Concurrent:
                await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (e, _) => await ApplyAsync(h.Ingestion, e));
                break;
            case Mode.Bulk:
                await h.Ingestion.BulkSyncAsync(shop, events.OfType<ProductSnapshot>(), events.OfType<OrderSnapshot>());
                foreach (var e in events.Where(e => e is OrderStatusChange or OrderRefund))
                {
                    await ApplyAsync(h.Ingestion, e);
                }

                break;
            case Mode.Mixed:
                var half = events.Take(events.Count / 2).ToList();
                foreach (var e in half)
                {
                    await ApplyAsync(h.Ingestion, e);
                }

                var rest = events.Skip(events.Count / 2).ToList();
                await h.Ingestion.BulkSyncAsync(shop, rest.OfType<ProductSnapshot>(), rest.OfType<OrderSnapshot>());
                foreach (var e in rest.Where(e => e is OrderStatusChange or OrderRefund).Concat(half))
                {
                    await ApplyAsync(h.Ingestion, e); // the first half again: duplicates change nothing
                }

                break;
            case Mode.Batched:
                foreach (var product in events.OfType<ProductSnapshot>())
                {
                    await h.Ingestion.UpsertProductAsync(product);
                }

                var work = events.Where(e => e is not ProductSnapshot).Chunk(25).ToList();
                await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (chunk, ct) =>
                {
                    var outcomes = await h.Ingestion.UpsertOrdersAsync(shop, chunk.OfType<OrderSnapshot>().ToList(), ct);
                    Assert.Equal(chunk.OfType<OrderSnapshot>().Count(), outcomes.Count);
                    foreach (var e in chunk.Where(e => e is OrderStatusChange or OrderRefund))
                    {
                        await ApplyAsync(h.Ingestion, e);
                    }
                });
                break;
        }

        await AssertReportsMatchAsync(h, shop, TimeZoneInfo.FindSystemTimeZoneById(timeZone), events);

        // Recomputing every summary from the base tables changes nothing either.
        await h.Ingestion.RebuildAsync(shop, new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31));
        await AssertReportsMatchAsync(h, shop, TimeZoneInfo.FindSystemTimeZoneById(timeZone), events);
    }

    private static async Task AssertReportsMatchAsync(AnalyticsHarness h, string shop, TimeZoneInfo zone, List<object> events)
    {
        var model = new BruteForce(zone, events);
        var from = new DateOnly(2026, 2, 17);
        var to = new DateOnly(2026, 4, 10);
        foreach (var currency in new[] { "USD", "EUR" })
        {
            var range = new ReportRange(shop, from, to, currency);
            foreach (var interval in Enum.GetValues<SalesInterval>())
            {
                var series = await h.Reports.GetSalesAsync(range, interval);
                Assert.Equal(model.Sales(currency, from, to, interval), series.Points);
            }

            var totals = model.Totals(currency, from, to);
            var profit = await h.Reports.GetProfitAsync(range, maxProducts: 100);
            Assert.Equal((totals.Revenue, totals.Cost, totals.Revenue - totals.Cost - totals.Fees), (profit.Revenue, profit.Cost, profit.GrossProfit));
            Assert.Equal((totals.Discounts, totals.Fees, totals.Returns), (profit.Discounts, profit.PlatformFees, profit.Returns));
            var products = model.Products(currency, from, to);
            Assert.Equal(
                products.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Revenue, p.Value.Cost, p.Value.Units, p.Value.Returns, p.Value.ReturnedUnits)),
                profit.Products.OrderBy(p => p.ProductId).Select(p => (p.ProductId, p.Revenue, p.Cost, p.Units, p.Returns, p.UnitsReturned)));

            // Ranges whose partial months are read as "monthly row minus the uncovered days" (most of Feb and
            // April; most of March on its own; a year to date) as well as directly.
            foreach (var (f, t) in new[] { (new DateOnly(2026, 2, 3), new DateOnly(2026, 4, 27)), (new DateOnly(2026, 3, 3), new DateOnly(2026, 3, 29)), (new DateOnly(2025, 4, 11), new DateOnly(2026, 4, 10)), (new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 2)) })
            {
                var other = await h.Reports.GetProfitAsync(new ReportRange(shop, f, t, currency), maxProducts: 100);
                Assert.Equal(
                    model.Products(currency, f, t).OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Revenue, p.Value.Cost, p.Value.Units, p.Value.Returns, p.Value.ReturnedUnits)),
                    other.Products.OrderBy(p => p.ProductId).Select(p => (p.ProductId, p.Revenue, p.Cost, p.Units, p.Returns, p.UnitsReturned)));
            }

            var platforms = await h.Reports.GetPlatformsAsync(range);
            Assert.Equal(
                model.Platforms(currency, from, to).OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Revenue, p.Value.Orders, p.Value.Units, p.Value.Revenue - p.Value.Cost - p.Value.Fees, p.Value.Fees, p.Value.Returns)),
                platforms.Platforms.OrderBy(p => p.Platform).Select(p => (p.Platform, p.Revenue, p.Orders, p.Units, p.GrossProfit, p.PlatformFees, p.Returns)));

            // a range cutting months (product figures come from monthly plus daily summaries)
            var cut = new ReportRange(shop, new DateOnly(2026, 2, 25), new DateOnly(2026, 3, 31), currency);
            var dashboard = await h.Reports.GetDashboardAsync(cut, topProducts: 100);
            var now = model.Totals(currency, cut.From, cut.To);
            var before = model.Totals(currency, new DateOnly(2026, 1, 21), new DateOnly(2026, 2, 24));
            Assert.Equal((now.Revenue, now.Orders, now.Units, now.Revenue - now.Cost - now.Fees), (dashboard.Revenue, dashboard.Orders, dashboard.Units, dashboard.GrossProfit));
            Assert.Equal((now.Revenue + now.Discounts + now.Returns, now.Discounts, now.Returns, now.Shipping, now.Taxes, now.Cost, now.Fees, now.Revenue + now.Shipping + now.Taxes),
                (dashboard.GrossSales, dashboard.Discounts, dashboard.Returns, dashboard.Shipping, dashboard.Taxes, dashboard.Cogs, dashboard.PlatformFees, dashboard.TotalSales));
            Assert.Equal((before.Revenue, before.Orders), (dashboard.PreviousRevenue, dashboard.PreviousOrders));
            Assert.Equal(
                model.Products(currency, cut.From, cut.To).OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Revenue)),
                dashboard.TopProducts.OrderBy(p => p.ProductId).Select(p => (p.ProductId, p.Revenue)));
        }
    }
}
