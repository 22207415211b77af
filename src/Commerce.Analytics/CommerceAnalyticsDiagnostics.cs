namespace Commerce.Analytics;

/// <summary>Names of the meter and activity source of Commerce.Analytics.</summary>
public static class CommerceAnalyticsDiagnostics
{
    /// <summary>The meter's name: <c>Commerce.Analytics</c>.</summary>
    public const string MeterName = "Commerce.Analytics";

    /// <summary>The activity source's name: <c>Commerce.Analytics</c>.</summary>
    public const string ActivitySourceName = "Commerce.Analytics";
}
