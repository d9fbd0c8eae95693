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
        foreach (PropertyInfo property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
            {
                continue;
            }

            ValidationAttribute[] rules = [.. property.GetCustomAttributes<ValidationAttribute>(inherit: true)];
            if (rules.Length == 0)
            {
                continue;
            }

            object? value = property.GetValue(settings);
            var context = new ValidationContext(settings, property.Name, serviceProvider: null, items: null) { MemberName = property.Name };
            if (Array.Find(rules, r => r is RequiredAttribute) is { } required && required.GetValidationResult(value, context) is { } missing)
            {
                problems.Add($"{prefix}{property.Name}: {missing.ErrorMessage}");
                continue;
            }

            foreach (ValidationAttribute rule in rules)
            {
                if (rule is not RequiredAttribute && rule.GetValidationResult(value, context) is { } broken)
                {
                    problems.Add($"{prefix}{property.Name}: {broken.ErrorMessage}");
                }
            }
        }

        return problems;
    }
}
