namespace Commerce.FlashSale.Internal;

/// <summary>
/// The sales the background workers look after, from PostgreSQL (so the list survives Redis losing its data): every sale
/// not retired and within its Redis retention, read again at most every two seconds. A sale is retired once it needs no
/// more work: ended or cancelled, no hold left, journal drained, its last phase recorded.
/// </summary>
internal sealed class ActiveSaleRegistry(PostgresSaleStore sales, TimeProvider time)
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);
    private IReadOnlyList<Guid> _sales = [];
    private long _readAt;

    public async Task<IReadOnlyList<Guid>> ActiveAsync(CancellationToken cancellationToken)
    {
        if (_readAt == 0 || time.GetElapsedTime(_readAt) > Refresh)
        {
            _sales = await sales.ActiveSalesAsync(cancellationToken).ConfigureAwait(false);
            _readAt = time.GetTimestamp();
        }

        return _sales;
    }

    /// <summary>Forgets the cached list, so a sale just created is looked after at once.</summary>
    public void Invalidate() => _readAt = 0;
}
