using System.Buffers;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;

namespace Commerce.Caching.Internal;

/// <summary>Strings are stored as plain UTF-8.</summary>
internal sealed class StringCacheSerializer : IHybridCacheSerializer<string>
{
    public static readonly StringCacheSerializer Instance = new();

    public string Deserialize(ReadOnlySequence<byte> source) => Encoding.UTF8.GetString(source);

    public void Serialize(string value, IBufferWriter<byte> target) => Encoding.UTF8.GetBytes(value, target);
}
