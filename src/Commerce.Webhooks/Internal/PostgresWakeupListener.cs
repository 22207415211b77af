using Commerce.Shared;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Commerce.Webhooks.Internal;

/// <summary>
/// The receiving half of the PostgreSQL LISTEN/NOTIFY wake-up (<see cref="PostgresWakeupNotifier"/> sends): turns the
/// channel's notifications into wake-ups of a worker, so a new message is picked up at once rather than at the next
/// poll. The worker keeps polling while listening is down.
/// </summary>
internal static class PostgresWakeupListener
{
    public static Task ListenAsync(NpgsqlDataSource dataSource, string channel, SemaphoreSlim signal, ILogger logger, CancellationToken stoppingToken) =>
        PostgresListener.ListenAsync(
            dataSource,
            channel,
            _ => Wake(signal),
            () => signal.Release(), // anything committed before we listened
            e => Log.ListenFailed(logger, e),
            stoppingToken);

    private static void Wake(SemaphoreSlim signal)
    {
        if (signal.CurrentCount == 0)
        {
            signal.Release();
        }
    }
}
