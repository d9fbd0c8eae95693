using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace AiCostGuard;

/// <summary>
/// A <see cref="TimeSpan"/> setting's inclusive range, with the message of <see cref="RangeAttribute"/>; the limits are
/// written in the invariant culture (<c>d.hh:mm:ss.fff</c>). <see cref="RangeAttribute"/> takes a time span range only
/// through a type converter, which trimming cannot see.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute("The field {0} must be between {1} and {2}.")
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);

    public override bool IsValid(object? value) => value is not TimeSpan t || (t >= Minimum && t <= Maximum);

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.InvariantCulture, ErrorMessageString, name, Minimum, Maximum);
}
