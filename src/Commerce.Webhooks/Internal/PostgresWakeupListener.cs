using Microsoft.Extensions.Logging;
using Npgsql;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// The receiving half of the PostgreSQL LISTEN/NOTIFY wake-up (<see cref="PostgresWakeupNotifier"/> sends): LISTENs on a channel on a dedicated connection and turns notifications into wake-ups, so a new message
/// is picked up at once rather than at the next poll. Reconnects after failures; the caller keeps polling meanwhile.
/// </summary>
internal static class PostgresWakeupListener
{
    public static async Task ListenAsync(NpgsqlDataSource dataSource, string channel, SemaphoreSlim signal, ILogger logger, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                connection.Notification += (_, _) =>
                {
                    if (signal.CurrentCount == 0)
                    {
                        signal.Release();
                    }
                };
                await using (var listen = new NpgsqlCommand($"listen \"{channel}\"", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                signal.Release(); // anything committed before we listened
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
                Log.ListenFailed(logger, e);
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
