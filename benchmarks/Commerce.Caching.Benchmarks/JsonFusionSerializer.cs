using System.Text.Json;
using ZiggyCreatures.Caching.Fusion.Serialization;

namespace Commerce.Caching.Benchmarks;

/// <summary>FusionCache's System.Text.Json serializer package is not available here; this is the same thing.</summary>
public sealed class JsonFusionSerializer : IFusionCacheSerializer
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public byte[] Serialize<T>(T? obj) => JsonSerializer.SerializeToUtf8Bytes(obj, Options);

    public T? Deserialize<T>(byte[] data) => JsonSerializer.Deserialize<T>(data, Options);

    public ValueTask<byte[]> SerializeAsync<T>(T? obj, CancellationToken token = default) => ValueTask.FromResult(Serialize(obj));

    public ValueTask<T?> DeserializeAsync<T>(byte[] data, CancellationToken token = default) => ValueTask.FromResult(Deserialize<T>(data));
}
