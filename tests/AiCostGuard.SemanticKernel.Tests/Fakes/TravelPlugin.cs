using System.ComponentModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace AiCostGuard.SemanticKernel.Tests.Fakes;

/// <summary>A plugin whose functions count their runs.</summary>
public sealed class TravelPlugin
{
    private int _weatherRuns;
    private int _flightRuns;
    private int _summaries;

    public int WeatherRuns => _weatherRuns;

    public int FlightRuns => _flightRuns;

    public int Summaries => _summaries;

    [KernelFunction("get_weather")]
    [Description("Gets the weather.")]
    public string GetWeather()
    {
        Interlocked.Increment(ref _weatherRuns);
        return "Sunny, 24 C.";
    }

    [KernelFunction("summarize")]
    [Description("Summarizes the plan with a model call of its own.")]
    public async Task<string> SummarizeAsync(Kernel kernel)
    {
        Interlocked.Increment(ref _summaries);
        ChatResponse summary = await kernel.Services.GetRequiredService<IChatClient>().GetResponseAsync("Summarize the plan in one line.");
        return summary.Text;
    }

    [KernelFunction("find_flights")]
    [Description("Finds flights.")]
    public string FindFlights()
    {
        Interlocked.Increment(ref _flightRuns);
        return "Two flights found.";
    }
}
