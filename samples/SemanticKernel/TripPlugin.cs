using System.ComponentModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace SemanticKernelSample;

/// <summary>The agent's tools: two lookups and one that asks a model of its own, so it has a cost of its own.</summary>
internal sealed class TripPlugin
{
    [KernelFunction("find_flights")]
    [Description("Finds flights to a city.")]
    public static string FindFlights(string city) => $"Flights to {city}: TP1947 Fri 09:10 EUR 119, direct; FR1234 Fri 17:45 EUR 58, direct.";

    [KernelFunction("get_weather")]
    [Description("Gets the forecast for a city.")]
    public static string GetWeather(string city) => $"Weather in {city}: Fri 21 C sun; Sat 17 C showers.";

    [KernelFunction("summarize_reviews")]
    [Description("Summarizes the reviews of the best-rated hotel in a city.")]
    public static async Task<string> SummarizeReviewsAsync(Kernel kernel, string city)
    {
        ChatResponse summary = await kernel.Services.GetRequiredService<IChatClient>().GetResponseAsync(
            $"Summarize these reviews of the Riverside Hotel in {city} in one sentence: " + string.Join(' ', Enumerable.Repeat("Lovely view over the Douro, great breakfast, friendly staff, a bit noisy on Saturday night.", 20)),
            new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 300 });
        return summary.Text;
    }
}
