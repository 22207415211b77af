namespace Commerce.FlashSale;

/// <summary>Names of the meter and activity source of Commerce.FlashSale, for OpenTelemetry.</summary>
public static class CommerceFlashSaleDiagnostics
{
    /// <summary>The meter's name: <c>Commerce.FlashSale</c>.</summary>
    public const string MeterName = "Commerce.FlashSale";

    /// <summary>The activity source's name: <c>Commerce.FlashSale</c>.</summary>
    public const string ActivitySourceName = "Commerce.FlashSale";
}
