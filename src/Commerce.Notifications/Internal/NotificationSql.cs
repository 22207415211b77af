using Commerce.Shared;

namespace Commerce.Notifications.Internal;

/// <summary>The SQL kept as files under <c>Internal/Sql</c>, loaded once with the schema filled in.</summary>
internal sealed class NotificationSql(string schema)
{
    public string CreateNotifications { get; } = Load("create_notifications.sql", schema);

    public string FindByIdempotencyKey { get; } = Load("find_by_idempotency_key.sql", schema);

    /// <summary>The NOTIFY channel on which a notification created in an application's transaction announces its recipient.</summary>
    public string CreatedChannel { get; } = schema + "_created";

    private static string Load(string file, string schema) =>
        EmbeddedText.Read(typeof(NotificationSql).Assembly, file).Replace("{schema}", schema, StringComparison.Ordinal);
}
