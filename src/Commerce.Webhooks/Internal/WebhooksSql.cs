using Commerce.Shared;

namespace Commerce.Webhooks.Internal;

/// <summary>The SQL of the package, loaded once from the files under <c>Internal/Sql</c> with the schema filled in.</summary>
internal sealed class WebhooksSql(string schema)
{
    public string InboxInsert { get; } = Load("inbox_insert.sql", schema);

    public string InboxFindIds { get; } = Load("inbox_find_ids.sql", schema);

    public string InboxClaim { get; } = Load("inbox_claim.sql", schema);

    public string InboxRenew { get; } = Load("inbox_renew.sql", schema);

    public string InboxRecord { get; } = Load("inbox_record.sql", schema);

    public string InboxRelease { get; } = Load("inbox_release.sql", schema);

    public string InboxSelect { get; } = Load("inbox_select.sql", schema);

    public string InboxReplay { get; } = Load("inbox_replay.sql", schema);

    public string InboxPurgeBodies { get; } = Load("inbox_purge_bodies.sql", schema);

    public string InboxPurgeRows { get; } = Load("inbox_purge_rows.sql", schema);

    public string EndpointUpsert { get; } = Load("endpoint_upsert.sql", schema);

    public string EndpointUpdate { get; } = Load("endpoint_update.sql", schema);

    public string EndpointSelect { get; } = Load("endpoint_select.sql", schema);

    public string EndpointDelete { get; } = Load("endpoint_delete.sql", schema);

    public string OutboxInsert { get; } = Load("outbox_insert.sql", schema);

    public string OutboxPublish { get; } = Load("outbox_publish.sql", schema);

    public string OutboxSelect { get; } = Load("outbox_select.sql", schema);

    public string OutboxClaim { get; } = Load("outbox_claim.sql", schema);

    public string OutboxRecord { get; } = Load("outbox_record.sql", schema);

    public string OutboxResend { get; } = Load("outbox_resend.sql", schema);

    public string OutboxRecover { get; } = Load("outbox_recover.sql", schema);

    public string OutboxPurge { get; } = Load("outbox_purge.sql", schema);

    public string AttemptsSelect { get; } = Load("attempts_select.sql", schema);

    private static string Load(string file, string schema) =>
        EmbeddedText.Read(typeof(WebhooksSql).Assembly, file).Replace("{schema}", $"\"{schema}\"", StringComparison.Ordinal);
}
