namespace Commerce.Notifications;

/// <summary>A request breaks a rule (an empty recipient, a title too long, an unknown channel). Nothing was written.</summary>
public sealed class NotificationValidationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errors">Field name to messages, in the shape of ASP.NET Core's validation problem details.</param>
    public NotificationValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base("The notification request is not valid: " + string.Join("; ", errors.SelectMany(e => e.Value.Select(v => $"{e.Key}: {v}"))))
    {
        Errors = errors;
    }

    /// <summary>Field name to messages.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }
}
