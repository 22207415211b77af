using Commerce.Shared;

namespace Commerce.FlashSale.Internal;

/// <summary>The SQL of the package, loaded once from the files under <c>Internal/Sql</c> with the schema filled in.</summary>
internal sealed class FlashSaleSql(string schema)
{
    private readonly string _schema = $"\"{schema}\"";

    public string InsertSale { get; } = Load("insert_sale.sql", schema);

    public string InsertItems { get; } = Load("insert_items.sql", schema);

    public string UpdateSale { get; } = Load("update_sale.sql", schema);

    public string UpsertItems { get; } = Load("upsert_items.sql", schema);

    public string CancelSale { get; } = Load("cancel_sale.sql", schema);

    public string LoadSale { get; } = Load("load_sale.sql", schema);

    public string FenceCheck { get; } = Load("fence_check.sql", schema);

    public string UpsertReservations { get; } = Load("upsert_reservations.sql", schema);

    public string RecordProgress { get; } = Load("record_progress.sql", schema);

    public string ParkDeadLetter { get; } = Load("park_dead_letter.sql", schema);

    public string BumpEpoch { get; } = Load("bump_epoch.sql", schema);

    public string SaleHealth { get; } = Load("sale_health.sql", schema);

    public string ActiveSales { get; } = Load("active_sales.sql", schema);

    public string ShopSales { get; } = Load("shop_sales.sql", schema);

    public string RetireSale { get; } = Load("retire_sale.sql", schema);

    public string ShopOf => $"select shop_id from {_schema}.sales where id = @id";

    private static string Load(string file, string schema) =>
        EmbeddedText.Read(typeof(FlashSaleSql).Assembly, file).Replace("{schema}", $"\"{schema}\"", StringComparison.Ordinal);
}
