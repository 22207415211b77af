using Npgsql;

namespace Commerce.Shared;

/// <summary>
/// LISTENs on a PostgreSQL channel on a dedicated connection until stopped: calls back for every notification, and
/// each time listening (re)starts (whatever was committed before may have been missed: read it then); reconnects after
/// a failure, a second later. Shared source, linked into each package that is woken by NOTIFY.
/// </summary>
internal static class PostgresListener
{
    public static async Task ListenAsync(
        NpgsqlDataSource dataSource,
        string channel,
        Action<string> onNotification,
        Action onListening,
        Action<Exception> onError,
        CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                connection.Notification += (_, e) => onNotification(e.Payload);
                await using (var listen = new NpgsqlCommand($"listen \"{channel}\"", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                onListening();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                onError(e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
