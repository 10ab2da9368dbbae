using System.Diagnostics;
using System.Text;

namespace Migrations.Build.EndToEnd.Tests;

/// <summary>Runs the dotnet CLI with a clean, deterministic environment and captures everything it prints.</summary>
public static class DotNet
{
    public static CommandResult Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Run(workingDirectory, environment, interruptWhen: null, args);

    /// <summary>With <paramref name="interruptWhen"/>: sends SIGINT (Ctrl+C) once it holds, as a user would press it.</summary>
    public static CommandResult Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, Func<bool>? interruptWhen, params string[] args) =>
        Run(workingDirectory, environment, interruptWhen, "INT", args);

    /// <summary>With <paramref name="interruptWhen"/>: sends <paramref name="signal"/> (INT, KILL…) once it holds.</summary>
    public static CommandResult Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, Func<bool>? interruptWhen, string signal, params string[] args)
    {
        var variables = new Dictionary<string, string>
        {
            // No long-lived MSBuild nodes: every run loads the task assembly fresh, and nothing outlives the test.
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["MSBUILDTERMINALLOGGER"] = "off",
            // One C# compiler server for the run, under a name of its own, instead of a cold csc process per
            // consumer build: csc start-up was ~3 s of every first build of an (empty) consumer project. The
            // server compiles C# only; the task assembly is still loaded fresh by every MSBuild process above.
            // Set here so the ambient environment (UseSharedCompilation=false on some machines) does not decide.
            ["UseSharedCompilation"] = "true",
            ["SharedCompilationId"] = CompilerServer.PipeName,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) variables[key] = value;
        return ProcessRunner.Run("dotnet", workingDirectory, variables, interruptWhen, signal, args);
    }
}

/// <summary>
/// The C# compiler server of this test run: a private pipe name, so the tests neither use nor stop a server
/// another build on the machine shares, and stopped when the test process exits, so nothing outlives the run.
/// </summary>
public static class CompilerServer
{
    public static readonly string PipeName = "mb-e2e-" + Guid.NewGuid().ToString("N")[..12];

    static CompilerServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();

    private static void Stop()
    {
        foreach (var process in Process.GetProcessesByName("VBCSCompiler"))
        {
            using (process)
            {
                try
                {
                    var commandLine = File.ReadAllText($"/proc/{process.Id}/cmdline");
                    if (commandLine.Contains("-pipename:" + PipeName, StringComparison.Ordinal)) process.Kill();
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
                catch (InvalidOperationException) { }
                catch (System.ComponentModel.Win32Exception) { }
            }
        }
    }
}

/// <summary>Runs a program and captures stdout and stderr together, with a time limit.</summary>
public static class ProcessRunner
{
    public static CommandResult Run(string fileName, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Run(fileName, workingDirectory, environment, interruptWhen: null, args);

    public static CommandResult Run(string fileName, string workingDirectory, IReadOnlyDictionary<string, string>? environment, Func<bool>? interruptWhen, params string[] args) =>
        Run(fileName, workingDirectory, environment, interruptWhen, "INT", args);

    public static CommandResult Run(string fileName, string workingDirectory, IReadOnlyDictionary<string, string>? environment, Func<bool>? interruptWhen, string signal, params string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var output = new StringBuilder();
        var standardOutput = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output)
            {
                output.AppendLine(e.Data);
                standardOutput.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (interruptWhen is not null) _ = Task.Run(() => Interrupt(process, interruptWhen, signal));
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in 5 minutes:\n{output}");
        }
        process.WaitForExit();
        lock (output) return new CommandResult(process.ExitCode, output.ToString()) { StandardOutput = standardOutput.ToString() };
    }

    private static async Task Interrupt(Process process, Func<bool> when, string signal)
    {
        for (var i = 0; i < 600 && !process.HasExited; i++)
        {
            if (when())
            {
                using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
                return;
            }
            await Task.Delay(100);
        }
    }
}
