namespace Commerce.Analytics.Internal;

/// <summary>
/// A date range cut into monthly and daily summary reads, so a product report over a year reads about 12 monthly rows
/// per product, not 365 daily ones. Whole months inside the range come from monthly rows. A month the range only
/// partly covers is read the cheaper way: its covered days from daily rows (<see cref="Head"/>, <see cref="Tail"/>),
/// or, when it covers most of the month, the monthly row minus the days it does not cover
/// (<see cref="MinusHead"/>, <see cref="MinusTail"/>; typically the rest of the current month, which has no rows yet).
/// An empty day range is (<see cref="DateOnly.MaxValue"/>, <see cref="DateOnly.MinValue"/>).
/// </summary>
internal readonly record struct RangeParts(
    DateOnly? FirstMonth, DateOnly? LastMonth,
    (DateOnly From, DateOnly To) Head, (DateOnly From, DateOnly To) Tail,
    (DateOnly From, DateOnly To) MinusHead, (DateOnly From, DateOnly To) MinusTail)
{
    private static readonly (DateOnly, DateOnly) Empty = (DateOnly.MaxValue, DateOnly.MinValue);

    public static RangeParts Of(DateOnly from, DateOnly to)
    {
        DateOnly? firstMonth = null, lastMonth = null;
        (DateOnly, DateOnly) head = Empty, tail = Empty, minusHead = Empty, minusTail = Empty;
        for (var month = new DateOnly(from.Year, from.Month, 1); month <= to; month = month.AddMonths(1))
        {
            var monthEnd = month.AddMonths(1).AddDays(-1);
            var a = from > month ? from : month;
            var b = to < monthEnd ? to : monthEnd;
            var covered = b.DayNumber - a.DayNumber + 1;
            var length = monthEnd.DayNumber - month.DayNumber + 1;
            if (covered == length || length - covered < covered)
            {
                // whole month, or most of it: the monthly row (minus the uncovered days)
                firstMonth ??= month;
                lastMonth = month;
                if (a > month)
                {
                    minusHead = (month, a.AddDays(-1));
                }

                if (b < monthEnd)
                {
                    minusTail = (b.AddDays(1), monthEnd);
                }
            }
            else if (month == new DateOnly(from.Year, from.Month, 1))
            {
                head = (a, b);
            }
            else
            {
                tail = (a, b);
            }
        }

        return new RangeParts(firstMonth, lastMonth, head, tail, minusHead, minusTail);
    }
}
