using System.ComponentModel.DataAnnotations;

namespace Commerce.Analytics;

/// <summary>Options of Commerce.Analytics, validated when the host starts.</summary>
public sealed class AnalyticsOptions
{
    /// <summary>Npgsql connection string, unless a data source is given with <c>WithPostgres</c>.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>PostgreSQL schema. Default <c>analytics</c>.</summary>
    [Required]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Schema must be a lower-case identifier (letters, digits, '_').")]
    public string Schema { get; set; } = "analytics";

    /// <summary>Time zone (IANA) of a shop seen for the first time. Default <c>UTC</c>.</summary>
    [Required]
    public string DefaultTimeZone { get; set; } = "UTC";

    /// <summary>Currency reported on when neither the request nor the shop names one. Default <c>USD</c>.</summary>
    [Required]
    [RegularExpression("^[A-Z]{3}$", ErrorMessage = "DefaultCurrency must be a three-letter ISO 4217 code.")]
    public string DefaultCurrency { get; set; } = "USD";

    /// <summary>Days of sales the velocity of at-risk inventory is averaged over. Default 30.</summary>
    [Range(1, 365)]
    public int VelocityWindowDays { get; set; } = 30;

    /// <summary>Lead time of products that don't say. Default 7 days.</summary>
    [Range(0, 365)]
    public int DefaultLeadTimeDays { get; set; } = 7;

    /// <summary>Days of sales kept as safety stock in the suggested reorder point. Default 3.</summary>
    [Range(0, 365)]
    public int SafetyStockDays { get; set; } = 3;

    /// <summary>A product in stock without a sale for this many days is dead stock. Default 90.</summary>
    [Range(1, 3650)]
    public int DeadStockDays { get; set; } = 90;

    /// <summary>Products expiring within this many days are reported. Default 30.</summary>
    [Range(0, 3650)]
    public int ExpiryWarningDays { get; set; } = 30;

    /// <summary>Apply the PostgreSQL migrations when the host starts. Default true.</summary>
    public bool ApplyMigrationsOnStart { get; set; } = true;
}
