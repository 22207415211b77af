using Npgsql;
using NpgsqlTypes;

namespace Commerce.Webhooks.Internal;

/// <summary>The endpoints table: registering, reading, listing, changing and deleting the receivers this application sends to.</summary>
internal sealed class EndpointStore(WebhooksConnections connections)
{
    private readonly WebhooksSql _sql = connections.Sql;

    public async Task UpsertAsync(Guid id, Uri url, string[] secrets, string[]? eventTypes, string? description, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.EndpointUpsert);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("url", url.ToString());
        command.Parameters.AddWithValue("secrets", secrets);
        command.Parameters.Add(new NpgsqlParameter("event_types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (object?)eventTypes ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("description", NpgsqlDbType.Text) { Value = (object?)description ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies the given changes; returns false when there is no such endpoint.</summary>
    public async Task<bool> UpdateAsync(Guid id, Uri? url, string[]? secrets, string[]? eventTypes, string? description, bool? enabled, string? disabledReason, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.EndpointUpdate);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.Add(new NpgsqlParameter("url", NpgsqlDbType.Text) { Value = (object?)url?.ToString() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("secrets", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (object?)secrets ?? DBNull.Value });
        command.Parameters.AddWithValue("set_event_types", eventTypes is not null);
        command.Parameters.Add(new NpgsqlParameter("event_types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = eventTypes is { Length: > 0 } ? eventTypes : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("description", NpgsqlDbType.Text) { Value = (object?)description ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("enabled", NpgsqlDbType.Boolean) { Value = (object?)enabled ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("disabled_reason", NpgsqlDbType.Text) { Value = (object?)disabledReason ?? DBNull.Value });
        var updated = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        if (updated && enabled == true)
        {
            connections.OutboxNotifier.Wake(); // its waiting messages are due
        }

        return updated;
    }

    public Task<bool> SetEnabledAsync(Guid id, bool enabled, string? reason, CancellationToken cancellationToken) =>
        UpdateAsync(id, null, null, null, null, enabled, reason, cancellationToken);

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.EndpointDelete);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<WebhookEndpoint?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        (await SelectAsync(" where id = @id", cancellationToken, new NpgsqlParameter("id", id)).ConfigureAwait(false)).SingleOrDefault();

    public Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string? eventType, CancellationToken cancellationToken) =>
        eventType is null
            ? SelectAsync(" order by created_at, id", cancellationToken)
            : SelectAsync(
                " where event_types is null or cardinality(event_types) = 0 or @type = any(event_types) order by created_at, id",
                cancellationToken,
                new NpgsqlParameter("type", eventType));

    private async Task<IReadOnlyList<WebhookEndpoint>> SelectAsync(string filter, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = connections.DataSource.CreateCommand(_sql.EndpointSelect + filter);
        command.Parameters.AddRange(parameters);
        var endpoints = new List<WebhookEndpoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            endpoints.Add(new WebhookEndpoint(
                reader.GetGuid(0),
                new Uri(reader.GetString(1)),
                reader.GetFieldValue<string[]>(2),
                reader.GetBoolean(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? [] : reader.GetFieldValue<string[]>(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return endpoints;
    }
}
