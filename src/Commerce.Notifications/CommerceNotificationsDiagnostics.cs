namespace Commerce.Notifications;

/// <summary>Names of the meter and activity source of Commerce.Notifications, for OpenTelemetry.</summary>
public static class CommerceNotificationsDiagnostics
{
    /// <summary>The meter's name: <c>Commerce.Notifications</c>.</summary>
    public const string MeterName = "Commerce.Notifications";

    /// <summary>The activity source's name: <c>Commerce.Notifications</c>.</summary>
    public const string ActivitySourceName = "Commerce.Notifications";
}
