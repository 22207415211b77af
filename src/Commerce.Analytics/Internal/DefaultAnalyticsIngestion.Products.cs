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
            Sql("product_delete.sql"))
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
            Sql("inventory_upsert.sql"))
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
        new(Sql("stock_level_insert.sql"))
        {
            Parameters = { new("shop", shopId), new("product", productId), new("at", at.ToUniversalTime()), new("stock", stock) },
        };

    /// <summary>
    /// Product fields change with a newer product version, stock with a newer stock version; a newer snapshot of a
    /// deleted product recreates it, and its life starts again then.
    /// </summary>
    private string ProductUpsertSql(string source) =>
        Sql("product_upsert.sql").Replace("{source}", source, StringComparison.Ordinal);
}
