namespace Commerce.Caching.Internal;

/// <summary>
/// What a load produced, for every caller of its flight: the value to share (immutable types), or the serialized
/// value each caller deserializes into its own copy (mutable types), or <see cref="Missing"/>.
/// </summary>
internal sealed class FlightValue(object? value, byte[]? payload)
{
    /// <summary>A batch load that did not produce this key; single-key callers then load it themselves.</summary>
    public static readonly FlightValue Missing = new(null, null);

    public object? Value { get; } = value;

    public byte[]? Payload { get; } = payload;
}
