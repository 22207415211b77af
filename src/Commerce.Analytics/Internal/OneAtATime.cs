namespace Commerce.Analytics.Internal;

/// <summary>A batch of orders applied one at a time, with the batch's outcomes: only each order's stored version is Applied.</summary>
internal static class OneAtATime
{
    public static async Task<IReadOnlyList<IngestOutcome>> UpsertAsync(
        IReadOnlyList<OrderSnapshot> orders, Func<OrderSnapshot, CancellationToken, Task<IngestOutcome>> upsert, CancellationToken cancellationToken)
    {
        var outcomes = new IngestOutcome[orders.Count];
        var winners = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < orders.Count; i++)
        {
            outcomes[i] = await upsert(orders[i], cancellationToken).ConfigureAwait(false);
            if (outcomes[i] == IngestOutcome.Applied)
            {
                if (winners.TryGetValue(orders[i].OrderId, out var superseded))
                {
                    outcomes[superseded] = IngestOutcome.Ignored;   // as the set-based path says: only the version stored now
                }

                winners[orders[i].OrderId] = i;
            }
        }

        return outcomes;
    }
}
