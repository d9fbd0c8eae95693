using System.Diagnostics;

namespace AiCostGuard.Tests.Ledger;

/// <summary>
/// A real, small tmpfs mounted for one test (as root): a disk that fills up, or a read-only one. Where mounting is not
/// possible the test is skipped with the reason.
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static TmpfsMount Create(int kibibytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("A real tmpfs needs Linux.");
        }

        if (Environment.UserName != "root")
        {
            Assert.Skip($"Mounting a real tmpfs needs root; these tests run as '{Environment.UserName}' (.ci/run runs them as root).");
        }

        string path = Directory.CreateTempSubdirectory("aicostguard-tmpfs-").FullName;
        (int code, string error) = Run("mount", "-t", "tmpfs", "-o", $"size={kibibytes}k", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            Assert.Skip($"mount -t tmpfs was refused here ({error.Trim()}); a container without CAP_SYS_ADMIN cannot run this test.");
        }

        return new TmpfsMount(path);
    }

    /// <summary>Remounts read-only; the kernel refuses while a file on it is open for writing.</summary>
    public void MakeReadOnly()
    {
        (int code, string error) = Run("mount", "-o", "remount,ro", Path);
        Assert.True(code == 0, error);
    }

    public void Dispose()
    {
        // Lazy, so a file a failed test left open cannot keep the mount (and hide that test's own failure).
        if (Run("umount", "--lazy", Path).Code == 0)
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    private static (int Code, string Error) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
