using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace AiCostGuard;

/// <summary>
/// A <see cref="decimal"/> setting's inclusive range, with the message of <see cref="RangeAttribute"/>; the limits are
/// written in the invariant culture. <see cref="RangeAttribute"/> takes a decimal range only through a type converter,
/// which trimming cannot see.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class DecimalRangeAttribute(string minimum, string maximum) : ValidationAttribute("The field {0} must be between {1} and {2}.")
{
    public decimal Minimum { get; } = decimal.Parse(minimum, NumberStyles.Float, CultureInfo.InvariantCulture);

    public decimal Maximum { get; } = decimal.Parse(maximum, NumberStyles.Float, CultureInfo.InvariantCulture);

    public override bool IsValid(object? value) => value is not decimal d || (d >= Minimum && d <= Maximum);

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.InvariantCulture, ErrorMessageString, name, Minimum, Maximum);
}
