using System.ComponentModel;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Commerce.Caching.Internal;

/// <summary>
/// Whether every caller may share one instance of <typeparamref name="T"/>, by HybridCache's rule: strings, value
/// types without references (each caller gets a copy anyway), and sealed types or structs marked
/// <c>[ImmutableObject(true)]</c>. Anything else is mutable: each caller gets its own deserialized copy, so one
/// caller's change never shows up for another. Read once per type; the JIT folds it to a constant.
/// </summary>
internal static class ImmutableType<T>
{
    public static readonly bool IsImmutable = (typeof(T).IsValueType && !RuntimeHelpers.IsReferenceOrContainsReferences<T>()) || IsMarkedImmutable(typeof(T));

    private static bool IsMarkedImmutable(Type type)
    {
        if (type == typeof(string))
        {
            return true;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        return (type.IsValueType || (type.IsClass && type.IsSealed))
            && type.GetCustomAttribute<ImmutableObjectAttribute>() is { Immutable: true };
    }
}
