namespace AgentLoop;

/// <summary>The agent's instructions: long enough that every step re-sends a realistic amount of input.</summary>
internal static class Prompts
{
    public static readonly string System = string.Join(' ', Enumerable.Repeat(
        "You are a meticulous travel-planning agent. Use the tools to check flights, hotels and the weather before you " +
        "answer; prefer direct flights, hotels rated above 8.5 and plans that survive a rainy afternoon. Cite prices in " +
        "euros and keep the final plan under two hundred words.", 12));
}
