using System.Collections;
using System.Reflection;

namespace Commerce.Caching.Internal;

/// <summary>
/// Finds types whose data System.Text.Json would lose with its default options because it lives in public fields and
/// not properties: value tuples (<c>(42, "abc")</c>), types with only fields, and collections or properties of such
/// types. The default serializer includes fields for them, as HybridCache's does.
/// </summary>
internal static class FieldOnlyTypes
{
    public static bool IsFieldOnly(Type type) => Check(type, new Dictionary<Type, bool>());

    private static bool Check(Type type, Dictionary<Type, bool> seen)
    {
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal))
        {
            return false;
        }

        if (seen.TryGetValue(type, out var known))
        {
            return known;
        }

        seen[type] = false; // while looking: a cycle adds nothing
        var result = Decide(type, seen);
        seen[type] = result;
        return result;
    }

    private static bool Decide(Type type, Dictionary<Type, bool> seen)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Check(underlying, seen);
        }

        if (typeof(IEnumerable).IsAssignableFrom(type))
        {
            foreach (var face in type.GetInterfaces().Append(type))
            {
                if (face.IsGenericType && face.GetGenericTypeDefinition() == typeof(IEnumerable<>) && Check(face.GetGenericArguments()[0], seen))
                {
                    return true;
                }
            }

            return false;
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        if (properties.Length > 0)
        {
            foreach (var property in properties)
            {
                if (property.GetIndexParameters().Length == 0 && Check(property.PropertyType, seen))
                {
                    return true;
                }
            }

            return false;
        }

        return type.GetFields(BindingFlags.Public | BindingFlags.Instance).Length > 0;
    }
}
