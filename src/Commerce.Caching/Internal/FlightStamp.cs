namespace Commerce.Caching.Internal;

/// <summary>
/// The generations (and trust epoch) a flight or a value was started under, taken before its factory reads the data:
/// a value so stamped is stale as soon as one of them moves on.
/// </summary>
internal readonly record struct FlightStamp(GenerationState? Scope, long ScopeGeneration, long GlobalGeneration, TagStamp[] Tags, long Epoch)
{
    public bool IsCurrent(GenerationState global, long epoch)
    {
        if (Epoch != epoch || !global.Matches(GlobalGeneration))
        {
            return false;
        }

        if (Scope is not null && (!Scope.Matches(ScopeGeneration) || Scope.Retired))
        {
            return false;
        }

        foreach (var tag in Tags)
        {
            if (!tag.IsCurrent)
            {
                return false;
            }
        }

        return true;
    }
}
