using System.Buffers;
using Microsoft.Extensions.Caching.Hybrid;

namespace Commerce.Caching.Internal;

/// <summary>Byte arrays are stored as they are.</summary>
internal sealed class ByteArrayCacheSerializer : IHybridCacheSerializer<byte[]>
{
    public static readonly ByteArrayCacheSerializer Instance = new();

    public byte[] Deserialize(ReadOnlySequence<byte> source) => source.ToArray();

    public void Serialize(byte[] value, IBufferWriter<byte> target) => target.Write(value);
}
