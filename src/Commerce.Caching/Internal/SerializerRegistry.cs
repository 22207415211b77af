using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Caching.Internal;

/// <summary>
/// Finds the serializer of a type the way HybridCache does: an <see cref="IHybridCacheSerializer{T}"/>
/// registered in DI, else the last registered <see cref="IHybridCacheSerializerFactory"/> that accepts the type,
/// else UTF-8 for strings, raw bytes for byte arrays, and System.Text.Json for everything else.
/// </summary>
internal sealed class SerializerRegistry(IServiceProvider services, JsonSerializerOptions json)
{
    private readonly ConcurrentDictionary<Type, object> _serializers = new();
    private readonly IHybridCacheSerializerFactory[] _factories = services.GetServices<IHybridCacheSerializerFactory>().Reverse().ToArray();

    public IHybridCacheSerializer<T> Get<T>() =>
        (IHybridCacheSerializer<T>)_serializers.GetOrAdd(typeof(T), static (_, self) => self.Create<T>(), this);

    private object Create<T>()
    {
        if (services.GetService<IHybridCacheSerializer<T>>() is { } registered)
        {
            return registered;
        }

        foreach (var factory in _factories)
        {
            if (factory.TryCreateSerializer<T>(out var serializer))
            {
                return serializer;
            }
        }

        if (typeof(T) == typeof(string))
        {
            return StringCacheSerializer.Instance;
        }

        if (typeof(T) == typeof(byte[]))
        {
            return ByteArrayCacheSerializer.Instance;
        }

        return new JsonCacheSerializer<T>(json);
    }
}
