namespace Commerce.Analytics;

/// <summary>The bucket size of a sales series, in the shop's time zone.</summary>
public enum SalesInterval
{
    /// <summary>Local days.</summary>
    Day,

    /// <summary>ISO weeks, starting Monday.</summary>
    Week,

    /// <summary>Calendar months.</summary>
    Month,
}
