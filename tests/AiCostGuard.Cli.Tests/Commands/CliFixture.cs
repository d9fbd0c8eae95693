namespace AiCostGuard.Cli.Tests.Commands;

/// <summary>Runs the command tree in process, with the outputs captured, and writes input files to a temporary folder.</summary>
internal sealed class CliFixture : IDisposable
{
    public static readonly string LiteLlmFile = Path.Combine(AppContext.BaseDirectory, "data", "litellm", "model_prices_and_context_window.json");

    private readonly string _folder = Directory.CreateTempSubdirectory("aicostguard-cli-").FullName;

    public string File(string name, string content)
    {
        string path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public static (int ExitCode, string Output, string Error) Run(params string[] args) => RunWithInput(string.Empty, args);

    /// <summary>Runs with <paramref name="standardInput"/> as the standard input a file option given as <c>-</c> reads.</summary>
    public static (int ExitCode, string Output, string Error) RunWithInput(string standardInput, params string[] args) =>
        RunWithInput(System.Text.Encoding.UTF8.GetBytes(standardInput), args);

    public static (int ExitCode, string Output, string Error) RunWithInput(byte[] standardInput, params string[] args)
    {
        using var input = new MemoryStream(standardInput);
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = CliApplication.Run(args, input, output, error);
        return (code, output.ToString(), error.ToString());
    }

    public static string LastLine(string text) => text.TrimEnd().Split('\n')[^1].TrimEnd('\r');

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
