using Commerce.Shared;

namespace Commerce.Caching.Internal;

/// <summary>
/// The Lua scripts of the Redis level, loaded once from the files under <c>Internal/Scripts</c> (each file says its
/// keys, arguments and reply). Every script touches keys of one hash slot only, so they run on Redis Cluster.
/// <c>generation.lua</c> is a function shared by the scripts that read or move a generation.
/// </summary>
internal static class RedisScripts
{
    private static readonly string Generation = Load("generation.lua");

    /// <summary>An entry and its scope's generation, in one round trip.</summary>
    public static readonly string Read = Generation + Load("read.lua");

    /// <summary>One generation, created when missing, never lower than the caller's floor.</summary>
    public static readonly string ReadGeneration = Generation + Load("read_generation.lua");

    /// <summary>Moves a scope's or tag's generation on and announces it.</summary>
    public static readonly string Invalidate = Generation + Load("invalidate.lua");

    /// <summary>A versioned write: a factory's value, a set, or a remove's tombstone.</summary>
    public static readonly string Write = Load("write.lua");

    /// <summary>Makes a generation outlive an entry stamped with it.</summary>
    public static readonly string TouchGeneration = Load("touch_generation.lua");

    /// <summary>Releases a stampede lease if it is still ours.</summary>
    public static readonly string ReleaseLease = Load("release_lease.lua");

    private static string Load(string file) => EmbeddedText.Read(typeof(RedisScripts).Assembly, file);
}
