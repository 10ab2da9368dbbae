using System.Text.RegularExpressions;

namespace Migrations.Build.EndToEnd.Tests;

/// <summary>What a dotnet command did: exit code, output, and the canonical MSBuild diagnostics in it.</summary>
public sealed partial record CommandResult(int ExitCode, string Output)
{
    /// <summary>Standard output alone (<see cref="Output"/> has both streams, interleaved as they came).</summary>
    public string StandardOutput { get; init; } = "";

    [GeneratedRegex(@"^(?:\s*\d+:\d+>)?\s*(?<file>.+?)(?:\((?<line>\d+),(?<col>\d+)\))?\s*:\s+(?<severity>error|warning)\s+(?<code>MIG\d{3})\s*:\s*(?<message>.*?)(?:\s+\[[^\]]+\])?\s*$", RegexOptions.Multiline)]
    private static partial Regex DiagnosticLine();

    public IReadOnlyList<BuildDiagnostic> Diagnostics =>
        DiagnosticLine().Matches(Output)
            .Select(m => new BuildDiagnostic(
                m.Groups["code"].Value,
                m.Groups["severity"].Value,
                m.Groups["file"].Value.Trim(),
                m.Groups["line"].Success ? int.Parse(m.Groups["line"].Value) : 0,
                m.Groups["col"].Success ? int.Parse(m.Groups["col"].Value) : 0,
                m.Groups["message"].Value))
            .Distinct() // MSBuild repeats errors in its summary
            .ToList();

    public BuildDiagnostic Single(string code) =>
        Assert.Single(Diagnostics, d => d.Code == code);

    public override string ToString() => $"exit {ExitCode}\n{Output}";
}

public sealed record BuildDiagnostic(string Code, string Severity, string File, int Line, int Column, string Message)
{
    public bool IsError => Severity == "error";
}
