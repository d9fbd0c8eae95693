using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace AiCostGuard;

/// <summary>
/// Checks the validation attributes declared on a settings type's properties, as
/// <see cref="Validator.TryValidateObject(object, ValidationContext, ICollection{ValidationResult}, bool)"/> with
/// <c>validateAllProperties</c> does, but over a type named at the call, so a trimmed or native AOT application keeps
/// the properties it reads.
/// </summary>
internal static class SettingRules
{
    /// <summary>Lists, as <c>{prefix}{property}: {error}</c>, every declared rule <paramref name="settings"/> breaks.</summary>
    /// <remarks>As the validator does, a property missing a <see cref="RequiredAttribute"/> value is not checked further.</remarks>
    public static List<string> Check<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(T settings, string prefix = "")
        where T : class
    {
        var problems = new List<string>();
        foreach ((PropertyInfo property, RequiredAttribute? required, ValidationAttribute[] rules) in Rules<T>.Declared)
        {
            object? value = property.GetValue(settings);
            var context = new ValidationContext(settings, property.Name, serviceProvider: null, items: null) { MemberName = property.Name };
            if (required?.GetValidationResult(value, context) is { } missing)
            {
                problems.Add($"{prefix}{property.Name}: {missing.ErrorMessage}");
                continue;
            }

            foreach (ValidationAttribute rule in rules)
            {
                if (rule.GetValidationResult(value, context) is { } broken)
                {
                    problems.Add($"{prefix}{property.Name}: {broken.ErrorMessage}");
                }
            }
        }

        return problems;
    }

    /// <summary>The properties of <typeparamref name="T"/> that declare rules, read once: limits are checked each time a scope begins.</summary>
    private static class Rules<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>
    {
        public static readonly (PropertyInfo Property, RequiredAttribute? Required, ValidationAttribute[] Others)[] Declared =
        [
            .. from property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
               where property.GetIndexParameters().Length == 0 && property.GetMethod is not null
               let rules = property.GetCustomAttributes<ValidationAttribute>(inherit: true).ToArray()
               where rules.Length > 0
               select (property, rules.OfType<RequiredAttribute>().FirstOrDefault(), rules.Where(r => r is not RequiredAttribute).ToArray()),
        ];
    }
}
