using System.Reflection;

namespace AiCostGuard.Tests.Shared;

/// <summary>What a configuration shape must name, found by reflection where nothing is trimmed.</summary>
internal static class SettingsTypes
{
    /// <summary>The types configuration can set, found by reflection as the check found them before it was given shapes: classes with a public parameterless constructor, through properties, lists and dictionaries.</summary>
    public static HashSet<Type> ReachableFrom(Type root)
    {
        var found = new HashSet<Type>();
        var pending = new Queue<Type>([root]);
        while (pending.TryDequeue(out Type? type))
        {
            if (!found.Add(type))
            {
                continue;
            }

            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length == 0 && property.GetMethod is not null && Settable(property.PropertyType) is { } nested)
                {
                    pending.Enqueue(nested);
                }
            }
        }

        return found;
    }

    private static Type? Settable(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type.IsValueType || type == typeof(Uri))
        {
            return null;
        }

        if (type.IsArray)
        {
            return Settable(type.GetElementType()!);
        }

        Type? collection = type.IsGenericType && type.GetGenericTypeDefinition() is { } d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)) ? type
            : Array.Find(type.GetInterfaces(), i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)));
        if (collection is not null)
        {
            return Settable(collection.GetGenericArguments()[1]);
        }

        Type? sequence = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>) ? type
            : Array.Find(type.GetInterfaces(), i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        if (sequence is not null)
        {
            return Settable(sequence.GetGenericArguments()[0]);
        }

        return type.IsInterface || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null ? null : type;
    }
}
