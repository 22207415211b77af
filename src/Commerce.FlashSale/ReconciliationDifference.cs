namespace Commerce.FlashSale;

/// <summary>One way Redis and PostgreSQL disagree about a sale.</summary>
/// <param name="Subject">What differs: <c>item:{product}</c>, <c>reservation:{id}</c> or <c>sale</c>.</param>
/// <param name="Field">The field: reserved, confirmed, stock, state, version, missing.</param>
/// <param name="Redis">Its value in Redis.</param>
/// <param name="Postgres">Its value in PostgreSQL.</param>
public sealed record ReconciliationDifference(string Subject, string Field, string? Redis, string? Postgres);
