using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace AiCostGuard.Tests.DependencyInjection;

/// <summary>A price bound from configuration keeps every setting it was given: none of its init-only rates is left at zero.</summary>
public sealed class PriceSettingsTests
{
    [Fact]
    public void Every_setting_of_a_price_its_tiers_and_its_versions_is_read()
    {
        var values = new Dictionary<string, string?>();
        var expected = new List<(string Path, object Value)>();
        int next = 1;
        void Fill(Type type, string path)
        {
            foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null))
            {
                Type t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
                string key = $"{path}:{p.Name}";
                object? value = t == typeof(decimal) ? next + 0.25m
                    : t == typeof(int) ? next
                    : t == typeof(long) ? (long)next
                    : t == typeof(string) ? $"s{next}"
                    : t == typeof(DateTimeOffset) ? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(next)
                    : t == typeof(ModelCapabilities) ? ModelCapabilities.Tools | ModelCapabilities.JsonSchema
                    : null;
                next++;
                if (value is not null)
                {
                    values[key] = Convert.ToString(value is DateTimeOffset d ? d.ToString("O", CultureInfo.InvariantCulture) : value, CultureInfo.InvariantCulture);
                    expected.Add((key, value));
                }
                else if (t == typeof(ServiceTierPrice))
                {
                    Fill(t, key);
                }
                else if (t == typeof(IReadOnlyList<LongContextPrice>))
                {
                    Fill(typeof(LongContextPrice), key + ":0");
                }
                else if (t == typeof(IReadOnlyList<ModelPrice>) && !path.Contains("Versions", StringComparison.Ordinal))
                {
                    Fill(typeof(ModelPrice), key + ":0");
                }
                else if (t != typeof(IReadOnlyList<ModelPrice>))
                {
                    Assert.Fail($"{type.Name}.{p.Name} ({t.Name}) has no rule here: add it, and read it in PriceSettings.");
                }
            }
        }

        Fill(typeof(ModelPrice), "mine");
        var prices = new Dictionary<string, ModelPrice>();
        PriceSettings.Bind(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), prices);

        Assert.True(expected.Count > 40, $"only {expected.Count} settings were given");
        Assert.All(expected, e => Assert.Equal(e.Value, Read(prices["mine"], e.Path.Split(':')[1..])));
    }

    private static object? Read(object? target, string[] path)
    {
        foreach (string step in path)
        {
            target = int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                ? ((System.Collections.IList)target!)[index]
                : target!.GetType().GetProperty(step)!.GetValue(target);
        }

        return target;
    }
}
