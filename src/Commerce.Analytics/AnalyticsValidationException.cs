namespace Commerce.Analytics;

/// <summary>An event or request breaks a rule; <see cref="Errors"/> lists every problem by field. Nothing was written.</summary>
public sealed class AnalyticsValidationException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public AnalyticsValidationException()
    {
        Errors = new Dictionary<string, string[]>();
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The problem.</param>
    public AnalyticsValidationException(string message)
        : base(message)
    {
        Errors = new Dictionary<string, string[]>();
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public AnalyticsValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = new Dictionary<string, string[]>();
    }

    /// <summary>Creates the exception from problems by field.</summary>
    /// <param name="errors">Messages by field (as in ASP.NET Core's validation problem details).</param>
    public AnalyticsValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(string.Join(" ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))))
    {
        Errors = errors;
    }

    /// <summary>Messages by field.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }
}
