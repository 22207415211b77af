namespace Commerce.Analytics;

/// <summary>What a bulk sync did.</summary>
/// <param name="Products">Products written (new or newer than stored).</param>
/// <param name="Orders">Orders written (new or newer than stored).</param>
/// <param name="Lines">Order lines written.</param>
/// <param name="Days">Local days whose summaries were recomputed.</param>
public sealed record BulkSyncResult(int Products, int Orders, int Lines, int Days);
