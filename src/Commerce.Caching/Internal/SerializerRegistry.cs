using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace Commerce.Caching.Internal;

/// <summary>
/// Finds the serializer of a type the way HybridCache does: an <see cref="IHybridCacheSerializer{T}"/> registered in
/// DI, else the last registered <see cref="IHybridCacheSerializerFactory"/> that accepts the type, else UTF-8 for
/// strings, raw bytes for byte arrays, and System.Text.Json for everything else. JSON options: those registered for
/// the type (keyed by <c>typeof(IHybridCacheSerializer&lt;T&gt;)</c>), else <see cref="CommerceCacheOptions.JsonSerializerOptions"/>,
/// else those registered for HybridCache (keyed by <c>typeof(IHybridCacheSerializer&lt;&gt;)</c>), else web defaults, which
/// include public fields for types that have nothing else (value tuples), as HybridCache's defaults do.
/// </summary>
internal sealed class SerializerRegistry
{
    private static readonly JsonSerializerOptions WebDefaults = new(JsonSerializerDefaults.Web);
    private static readonly JsonSerializerOptions WebDefaultsWithFields = new(JsonSerializerDefaults.Web) { IncludeFields = true };

    private readonly ConcurrentDictionary<Type, object> _serializers = new();
    private readonly IServiceProvider _services;
    private readonly IHybridCacheSerializerFactory[] _factories;
    private readonly JsonSerializerOptions _json;

    public SerializerRegistry(IServiceProvider services, JsonSerializerOptions? configured)
    {
        _services = services;
        _factories = services.GetServices<IHybridCacheSerializerFactory>().Reverse().ToArray();
        _json = configured ?? (services as IKeyedServiceProvider)?.GetKeyedService<JsonSerializerOptions>(typeof(IHybridCacheSerializer<>)) ?? WebDefaults;
    }

    public IHybridCacheSerializer<T> Get<T>() =>
        (IHybridCacheSerializer<T>)_serializers.GetOrAdd(typeof(T), static (_, self) => self.Create<T>(), this);

    private object Create<T>()
    {
        if (_services.GetService<IHybridCacheSerializer<T>>() is { } registered)
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

        var options = (_services as IKeyedServiceProvider)?.GetKeyedService<JsonSerializerOptions>(typeof(IHybridCacheSerializer<T>)) ?? _json;
        if (ReferenceEquals(options, WebDefaults) && FieldOnlyTypes.IsFieldOnly(typeof(T)))
        {
            options = WebDefaultsWithFields;
        }

        return new JsonCacheSerializer<T>(options);
    }
}
