using System.Diagnostics;

namespace Commerce.Webhooks;

/// <summary>Names of the meter and activity source of Commerce.Webhooks, and the activity source itself.</summary>
public static class CommerceWebhooksDiagnostics
{
    /// <summary>The meter's name: <c>Commerce.Webhooks</c>.</summary>
    public const string MeterName = "Commerce.Webhooks";

    /// <summary>The activity source's name: <c>Commerce.Webhooks</c>.</summary>
    public const string ActivitySourceName = "Commerce.Webhooks";

    /// <summary>The package's activity source (receive, process, deliver).</summary>
    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName);
}
