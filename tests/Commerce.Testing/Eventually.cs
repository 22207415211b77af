namespace Commerce.Testing;

/// <summary>
/// Waits for something that happens asynchronously (a pub/sub message, a background worker). The timeout is a
/// guard against hanging, not a performance assertion: it is generous, and the test fails only if the condition
/// never holds.
/// </summary>
public static class Eventually
{
    /// <summary>The default guard: 15 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Polls <paramref name="condition"/> until it is true; fails the test if it never is.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var delay = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Condition never became true within {timeout ?? DefaultTimeout}{(because is null ? "" : ": " + because)}.");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 200));
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it is true; fails the test if it never is.</summary>
    public static Task TrueAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, because);
}
