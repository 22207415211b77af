namespace Commerce.Analytics.Internal;

/// <summary>
/// A date range cut into the whole months inside it (read from monthly summaries) and the days before and after them
/// (read from daily summaries), so a product report over a year reads about 12 monthly rows per product, not 365 daily.
/// </summary>
internal readonly record struct RangeParts(DateOnly? FirstMonth, DateOnly? LastMonth, DateOnly HeadFrom, DateOnly HeadTo, DateOnly TailFrom, DateOnly TailTo)
{
    public static RangeParts Of(DateOnly from, DateOnly to)
    {
        var firstFull = from.Day == 1 ? from : new DateOnly(from.Year, from.Month, 1).AddMonths(1);
        var afterLast = new DateOnly(to.Year, to.Month, 1).AddMonths(1); // first day after to's month
        var lastFull = to == afterLast.AddDays(-1) ? new DateOnly(to.Year, to.Month, 1) : new DateOnly(to.Year, to.Month, 1).AddMonths(-1);
        if (lastFull < firstFull)
        {
            // no whole month inside: everything from daily rows (the tail is empty)
            return new RangeParts(null, null, from, to, DateOnly.MaxValue, DateOnly.MinValue);
        }

        return new RangeParts(firstFull, lastFull, from, firstFull.AddDays(-1), lastFull.AddMonths(1), to);
    }
}
