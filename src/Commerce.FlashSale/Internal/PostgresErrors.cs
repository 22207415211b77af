using Npgsql;

namespace Commerce.FlashSale.Internal;

/// <summary>PostgreSQL failures, as the package reports them.</summary>
internal static class PostgresErrors
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new FlashSaleUnavailableException("PostgreSQL failed: " + e.Message, e);
        }
    }

    /// <summary>
    /// True for an error about the data itself (a constraint, a bad value): retrying the same entry fails again, so it is
    /// a poison entry to park. Connection problems and serialization conflicts are not.
    /// </summary>
    public static bool IsAboutTheData(Exception e) =>
        e is PostgresException { SqlState: var state } && (state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("23", StringComparison.Ordinal));
}
