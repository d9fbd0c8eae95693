using System.Text.RegularExpressions;

namespace AiCostGuard.Redis.Tests;

/// <summary>The Redis script applies the core's ceilings rule: the same ceilings, in the same order, with the codes the store maps back.</summary>
public sealed partial class RedisScriptsTests
{
    [Fact]
    public void The_reserve_script_checks_the_ceilings_in_the_order_and_with_the_codes_of_the_core_s_table()
    {
        // What each ceiling counts, as the script names its running totals: input, output, their sum, nanodollars.
        var used = new Dictionary<BudgetLimitKind, string>
        {
            [BudgetLimitKind.InputTokens] = "ui",
            [BudgetLimitKind.OutputTokens] = "uo",
            [BudgetLimitKind.TotalTokens] = "ui + uo",
            [BudgetLimitKind.Cost] = "uc",
        };
        MatchCollection checks = CheckLine().Matches(RedisScripts.Reserve);

        Assert.Equal(Ceilings.Kinds.Length, checks.Count);
        for (int i = 0; i < checks.Count; i++)
        {
            BudgetLimitKind kind = Ceilings.Kinds[i];
            Assert.Equal(i + 1, int.Parse(checks[i].Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(used[kind], checks[i].Groups["used"].Value);
            Assert.Equal(kind, Ceilings.FromCode(i + 1));
        }

        Assert.Equal(used.Keys.Order(), Ceilings.Kinds.ToArray().Order());
    }

    [GeneratedRegex(@"if l\w >= 0 and [^>]+> l\w then return (?<code>\d), l\w, (?<used>[\w +]+?) end")]
    private static partial Regex CheckLine();
}
