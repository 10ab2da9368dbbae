using System.ComponentModel;
using System.Diagnostics;

namespace Migrations.Build.Engine.LocalDatabase;

/// <summary>Runs one command-line tool to completion within a time limit and captures what it printed.</summary>
internal static class ToolProcess
{
    // Once the tool has exited, how long to wait for the rest of its output: a grandchild that inherited
    // the pipes (it should not, pg_ctl redirects the server's) must not make us wait forever.
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(5);

    public sealed record Result(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
    {
        public bool Succeeded => ExitCode == 0;

        /// <summary>stderr then stdout, trimmed: what to show the user when the tool failed.</summary>
        public string Output => string.Join(Environment.NewLine,
            new[] { StandardError.Trim(), StandardOutput.Trim() }.Where(s => s.Length > 0));
    }

    public static Result Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        if (workingDirectory is not null) startInfo.WorkingDirectory = workingDirectory;
        var commandLine = Describe(fileName, startInfo.ArgumentList);

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new LocalDatabaseException($"could not run {commandLine}: {e.Message}", e);
        }

        // No tool we run reads input; a closed stdin makes any unexpected prompt fail instead of hang.
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (Win32Exception) { }
            WaitForOutput(stdout, stderr);
            throw new LocalDatabaseException(
                $"{commandLine} did not finish within {timeout.TotalSeconds:0} s and was stopped{Tail(stderr)}");
        }

        WaitForOutput(stdout, stderr);
        return new Result(commandLine, process.ExitCode, Completed(stdout), Completed(stderr));
    }

    private static void WaitForOutput(Task<string> stdout, Task<string> stderr)
    {
        try
        {
            Task.WaitAll([stdout, stderr], OutputGrace);
        }
        catch (AggregateException)
        {
            // A broken pipe only costs us the output; Completed() then returns "".
        }
    }

    private static string Completed(Task<string> output) => output.IsCompletedSuccessfully ? output.Result : "";

    private static string Tail(Task<string> output)
    {
        var text = Completed(output).Trim();
        return text.Length == 0 ? "" : ":" + Environment.NewLine + text;
    }

    private static string Describe(string fileName, IEnumerable<string> arguments) =>
        string.Join(' ', new[] { fileName }.Concat(arguments).Select(a => a.Length == 0 || a.Contains(' ') ? $"\"{a}\"" : a));
}
