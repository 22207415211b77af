namespace Commerce.Webhooks;

/// <summary>Names of the meter and activity source of Commerce.Webhooks.</summary>
public static class CommerceWebhooksDiagnostics
{
    /// <summary>The meter's name: <c>Commerce.Webhooks</c>.</summary>
    public const string MeterName = "Commerce.Webhooks";

    /// <summary>The activity source's name: <c>Commerce.Webhooks</c>.</summary>
    public const string ActivitySourceName = "Commerce.Webhooks";
}
