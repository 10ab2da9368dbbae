using System.Diagnostics;
using Migrations.Build.Engine.LocalDatabase;

namespace Migrations.Build.Engine.Tests.LocalDatabase;

public sealed class ToolProcessTests
{
    [Fact]
    public void Captures_output_and_exit_code()
    {
        if (OperatingSystem.IsWindows()) return; // uses /bin/sh

        var result = ToolProcess.Run("/bin/sh", ["-c", "echo out; echo err >&2; exit 4"], TimeSpan.FromSeconds(10));

        Assert.Equal(4, result.ExitCode);
        Assert.Equal("out", result.StandardOutput.Trim());
        Assert.Equal("err", result.StandardError.Trim());
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void A_tool_that_hangs_is_stopped_at_the_time_limit()
    {
        if (OperatingSystem.IsWindows()) return;
        var elapsed = Stopwatch.StartNew();

        var error = Assert.Throws<LocalDatabaseException>(() =>
            ToolProcess.Run("/bin/sh", ["-c", "echo stuck >&2; sleep 30"], TimeSpan.FromMilliseconds(300)));

        Assert.Contains("did not finish", error.Message);
        Assert.Contains("stuck", error.Message);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(10), $"took {elapsed.Elapsed}");
    }

    [Fact]
    public void A_missing_tool_is_a_clear_error()
    {
        var error = Assert.Throws<LocalDatabaseException>(() =>
            ToolProcess.Run("no-such-tool-" + Guid.NewGuid().ToString("N"), [], TimeSpan.FromSeconds(5)));

        Assert.Contains("could not run", error.Message);
    }
}
