using System.Diagnostics;
using Commerce.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Commerce.Analytics.Internal;

/// <summary>Product writes: catalogue fields and stock, each kept only when its version is newer than the stored one; a deleted product is kept as a tombstone.</summary>
internal sealed partial class DefaultAnalyticsIngestion
{
    public async Task<IngestOutcome> UpsertProductAsync(ProductSnapshot product, CancellationToken cancellationToken = default)
    {
        AnalyticsValidation.Validate(product);
        using var activity = Start("product", product.ShopId);
        await using var batch = connections.DataSource.CreateBatch();
        AddAll(batch, EnsureShop(product.ShopId, product.Currency));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ProductUpsertSql("values (@shop, @product, @name, @sku, @category, @price, @cost, @currency, @stock, @expires, @lead, false, @at, @at, @at)"))
        {
            Parameters =
            {
                new("shop", product.ShopId),
                new("product", product.ProductId),
                new("name", product.Name),
                new("sku", NpgsqlDbType.Text) { Value = (object?)product.Sku ?? DBNull.Value },
                new("category", NpgsqlDbType.Text) { Value = (object?)product.Category ?? DBNull.Value },
                new("price", product.Price),
                new("cost", product.Cost),
                new("currency", NpgsqlDbType.Text) { Value = (object?)product.Currency ?? DBNull.Value },
                new("stock", product.Stock),
                new("expires", NpgsqlDbType.TimestampTz) { Value = (object?)product.ExpiresAt?.ToUniversalTime() ?? DBNull.Value },
                new("lead", NpgsqlDbType.Integer) { Value = (object?)product.LeadTimeDays ?? DBNull.Value },
                new("at", product.UpdatedAt.ToUniversalTime()),
            },
        });
        var upsert = batch.BatchCommands[^1];
        batch.BatchCommands.Add(StockLevel(product.ShopId, product.ProductId, product.Stock, product.UpdatedAt));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return Record("product", upsert.RecordsAffected > 0 ? IngestOutcome.Applied : IngestOutcome.Ignored);
    }

    public async Task<IngestOutcome> DeleteProductAsync(string shopId, string productId, DateTimeOffset updatedAt, CancellationToken cancellationToken = default)
    {
        AnalyticsValidation.Ids(shopId, productId, "productId");
        using var activity = Start("product_deleted", shopId);
        await using var batch = connections.DataSource.CreateBatch();
        AddAll(batch, EnsureShop(shopId, null));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"""
            insert into {_s}.products as p (shop_id, product_id, deleted, first_seen_at, updated_at, stock_updated_at)
            values (@shop, @product, true, @at, @at, '-infinity')
            on conflict (shop_id, product_id) do update set deleted = true, updated_at = excluded.updated_at
            where p.updated_at < excluded.updated_at
            """)
        {
            Parameters = { new("shop", shopId), new("product", productId), new("at", updatedAt.ToUniversalTime()) },
        });
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return Record("product_deleted", batch.BatchCommands[^1].RecordsAffected > 0 ? IngestOutcome.Applied : IngestOutcome.Ignored);
    }

    public async Task<IngestOutcome> UpdateInventoryAsync(InventoryUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        AnalyticsValidation.Ids(update.ShopId, update.ProductId, "productId");
        if (update.Stock < 0)
        {
            throw new AnalyticsValidationException(new Dictionary<string, string[]> { ["stock"] = ["Stock can't be negative."] });
        }

        using var activity = Start("inventory", update.ShopId);
        await using var batch = connections.DataSource.CreateBatch();
        AddAll(batch, EnsureShop(update.ShopId, null));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"""
            insert into {_s}.products as p (shop_id, product_id, stock, first_seen_at, updated_at, stock_updated_at)
            values (@shop, @product, @stock, @at, '-infinity', @at)
            on conflict (shop_id, product_id) do update set stock = excluded.stock, stock_updated_at = excluded.stock_updated_at
            where p.stock_updated_at < excluded.stock_updated_at
            """)
        {
            Parameters = { new("shop", update.ShopId), new("product", update.ProductId), new("stock", update.Stock), new("at", update.UpdatedAt.ToUniversalTime()) },
        });
        var upsert = batch.BatchCommands[^1];
        batch.BatchCommands.Add(StockLevel(update.ShopId, update.ProductId, update.Stock, update.UpdatedAt));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return Record("inventory", upsert.RecordsAffected > 0 ? IngestOutcome.Applied : IngestOutcome.Ignored);
    }

    /// <summary>
    /// Records a stock level in the product's history, older than the current one or not: the history is the set of
    /// levels reported, whatever their arrival order (SmartShelf counts the days in stock from it).
    /// </summary>
    private NpgsqlBatchCommand StockLevel(string shopId, string productId, int stock, DateTimeOffset at) =>
        new($"insert into {_s}.stock_levels (shop_id, product_id, at, stock) values (@shop, @product, @at, @stock) on conflict do nothing")
        {
            Parameters = { new("shop", shopId), new("product", productId), new("at", at.ToUniversalTime()), new("stock", stock) },
        };

    /// <summary>
    /// Product fields change with a newer product version, stock with a newer stock version; a newer snapshot of a
    /// deleted product recreates it, and its life starts again then.
    /// </summary>
    private string ProductUpsertSql(string source) =>
        $"""
        insert into {_s}.products as p (shop_id, product_id, name, sku, category, price, cost, currency, stock, expires_at, lead_time_days,
                                        deleted, first_seen_at, updated_at, stock_updated_at)
        {source}
        on conflict (shop_id, product_id) do update set
            name = case when p.updated_at < excluded.updated_at then excluded.name else p.name end,
            sku = case when p.updated_at < excluded.updated_at then excluded.sku else p.sku end,
            category = case when p.updated_at < excluded.updated_at then excluded.category else p.category end,
            price = case when p.updated_at < excluded.updated_at then excluded.price else p.price end,
            cost = case when p.updated_at < excluded.updated_at then excluded.cost else p.cost end,
            currency = case when p.updated_at < excluded.updated_at then excluded.currency else p.currency end,
            expires_at = case when p.updated_at < excluded.updated_at then excluded.expires_at else p.expires_at end,
            lead_time_days = case when p.updated_at < excluded.updated_at then excluded.lead_time_days else p.lead_time_days end,
            deleted = case when p.updated_at < excluded.updated_at then false else p.deleted end,
            life_started_at = case when p.deleted and p.updated_at < excluded.updated_at then excluded.updated_at else p.life_started_at end,
            first_seen_at = least(p.first_seen_at, excluded.first_seen_at),
            updated_at = greatest(p.updated_at, excluded.updated_at),
            stock = case when p.stock_updated_at < excluded.stock_updated_at then excluded.stock else p.stock end,
            stock_updated_at = greatest(p.stock_updated_at, excluded.stock_updated_at)
        where p.updated_at < excluded.updated_at or p.stock_updated_at < excluded.stock_updated_at
        """;
}
