namespace Commerce.Caching.Internal;

/// <summary>A tag of an entry and the tag's generation when the entry was computed.</summary>
internal readonly record struct TagStamp(GenerationState State, long Generation)
{
    public bool IsCurrent => State.Generation == Generation && !State.Retired;
}
