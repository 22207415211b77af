namespace Commerce.FlashSale;

/// <summary>A sale definition or request that breaks a rule; <see cref="Errors"/> lists every problem by field.</summary>
public sealed class FlashSaleDefinitionException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public FlashSaleDefinitionException()
    {
        Errors = new Dictionary<string, string[]>();
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The problems.</param>
    public FlashSaleDefinitionException(string message)
        : base(message)
    {
        Errors = new Dictionary<string, string[]>();
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">The problems.</param>
    /// <param name="innerException">The cause.</param>
    public FlashSaleDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = new Dictionary<string, string[]>();
    }

    /// <summary>Creates the exception from problems by field.</summary>
    /// <param name="errors">Messages by field name (as in ASP.NET Core's validation problem details).</param>
    public FlashSaleDefinitionException(IReadOnlyDictionary<string, string[]> errors)
        : base(string.Join(" ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))))
    {
        Errors = errors;
    }

    /// <summary>Messages by field name.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }
}
