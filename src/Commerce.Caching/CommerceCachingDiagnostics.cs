namespace Commerce.Caching;

/// <summary>
/// Names of the <see cref="System.Diagnostics.Metrics.Meter"/> and
/// <see cref="System.Diagnostics.ActivitySource"/> of Commerce.Caching, for OpenTelemetry:
/// <c>.AddMeter(CommerceCachingDiagnostics.MeterName)</c> and <c>.AddSource(CommerceCachingDiagnostics.ActivitySourceName)</c>.
/// </summary>
public static class CommerceCachingDiagnostics
{
    /// <summary>The name of the meter: <c>Commerce.Caching</c>.</summary>
    public const string MeterName = "Commerce.Caching";

    /// <summary>The name of the activity source: <c>Commerce.Caching</c>.</summary>
    public const string ActivitySourceName = "Commerce.Caching";
}
