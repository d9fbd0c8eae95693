namespace QuickStart;

/// <summary>The requests the demo sends; their lengths decide the token counts, so they are fixed text.</summary>
internal static class Prompts
{
    public const string Article =
        "Summarize for an engineering manager in three bullet points. Our assistant answers about 40,000 questions " +
        "a day. Each answer first retrieves ten passages, asks a small model to rerank them, then asks a larger " +
        "model to write the answer with the top three passages as context. Last month the bill doubled although " +
        "traffic grew by only 15 percent. The retrieval index grew, passages got longer, and a new agent mode " +
        "retries the final answer up to three times when the grounding check fails.";

    public const string Ticket =
        "Customer ticket #4821: our invoices for the last two months show a line 'AI assist - usage' that we never " +
        "enabled. We are on the Team plan with 12 seats. Please explain what this line is, whether it can be " +
        "switched off per workspace, and refund it if it was charged by mistake. Classify the ticket and draft a " +
        "reply that is polite and specific.";

    public const string DigestIntro =
        "Write a two-sentence opening for tonight's digest of product news for the sales team.";

    public const string Outline =
        "List the five sections of this week's cost report for the finance team, one line each.";

    public const string WeeklyReport =
        "Write the weekly AI cost report for the finance team. Spend by team: search $1,240 (up 8 percent), " +
        "support $860 (down 3 percent), growth $310 (flat), research $95 (new). Spend by model: the small model " +
        "carries 81 percent of calls but 22 percent of cost; the large model carries 14 percent of calls and 61 " +
        "percent of cost; the Claude model carries the rest. Cost per resolved support ticket fell from $0.041 to " +
        "$0.037. Three budget rejections happened, all in the nightly digest job, and 212 calls were clamped. " +
        "Explain the trend, call out the risk in the search team's growth, and end with two recommendations that " +
        "finance can act on before the end of the quarter, with the expected saving of each.";

    public const string ChatTurn =
        "Tell me, in as much detail as you like, everything a new engineer should know about how our AI features " +
        "are billed: which calls cost the most, why long conversations get expensive, how prompt caching changes " +
        "the price of a repeated prefix, what happens when an agent loops, and how the per-team budgets protect " +
        "us. Take your time and cover every angle, with examples from the support and search teams.";

    public const string Question =
        "Compare the three retrieval strategies we tried this quarter and recommend one, with the trade-offs in cost, " +
        "latency and answer quality spelled out.";

    public static readonly string[] Headlines =
    [
        "Pricing page redesign ships to all regions on Monday.",
        "Enterprise plan adds audit log export in CSV and JSON.",
        "New onboarding checklist cuts time to first project by a third.",
        "Mobile app gets offline mode for notes and tasks.",
        "Single sign-on now supports two more identity providers.",
        "Workspace templates gallery opens with forty templates.",
        "Usage-based add-on for AI assist enters public preview.",
        "Data residency in the EU region becomes generally available.",
        "Customer advisory board meets in Lisbon next month.",
        "API rate limits double for the Business plan.",
        "Partner program adds a tier for implementation agencies.",
        "Status page moves to a new provider with regional breakdowns.",
        "Quarterly roadmap webinar recording is now online.",
        "Security review questionnaire answers updated for this year.",
        "Case study: a logistics firm saves four hours per week per planner.",
        "Holiday support hours announced for all time zones.",
        "Desktop app drops support for the oldest operating system version.",
        "Sales playbook for the AI add-on published on the wiki.",
        "Churn survey highlights onboarding and pricing clarity.",
        "Trial length extended to 21 days for qualified leads.",
    ];

    public static readonly string[] Passages =
    [
        "Rate from 0 to 10 how well this passage answers 'how do I cap LLM spend per team?': Budgets are set per " +
        "team in the admin console and apply from the next billing day.",
        "Rate from 0 to 10 how well this passage answers 'how do I cap LLM spend per team?': Our office moved to " +
        "the fourth floor.",
        "Rate from 0 to 10 how well this passage answers 'how do I cap LLM spend per team?': Each request carries " +
        "a team tag; a middleware prices the call before sending it and rejects or clamps calls that would take a " +
        "team past its daily budget, so the cap holds even when many calls run at once.",
    ];
}
