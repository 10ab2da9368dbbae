using System.Reflection;
using System.Text.RegularExpressions;
using Migrations.Build.Engine;
using Migrations.Build.Engine.Linting;
using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Tests;

/// <summary>
/// docs/diagnostics.md and the codes the engine defines cannot drift: every code has an entry under its anchor
/// (the target of the help link every diagnostic carries), and every entry is a defined code with its fields.
/// </summary>
public sealed partial class DiagnosticDocsTests
{
    [GeneratedRegex(@"^### (?<code>\S+)[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex EntryHeading();

    private static readonly string RepositoryRoot = FindRepositoryRoot();

    private static string Docs => File.ReadAllText(Path.Combine(RepositoryRoot, "docs", "diagnostics.md"));

    /// <summary>Every public const string of the code classes: DiagnosticCodes, LintCodes, SqlProblemCodes.</summary>
    private static IReadOnlySet<string> DefinedCodes() =>
        new[] { typeof(DiagnosticCodes), typeof(LintCodes), typeof(SqlProblemCodes) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet();

    /// <summary>Entry heading code -> the entry's text up to the next heading.</summary>
    private static Dictionary<string, string> Entries()
    {
        var docs = Docs;
        var headings = EntryHeading().Matches(docs);
        var entries = new Dictionary<string, string>();
        for (var i = 0; i < headings.Count; i++)
        {
            var start = headings[i].Index + headings[i].Length;
            var next = docs.IndexOf("\n#", start, StringComparison.Ordinal);
            var body = docs[start..(next < 0 ? docs.Length : next)];
            Assert.True(entries.TryAdd(headings[i].Groups["code"].Value, body), $"two entries for {headings[i].Groups["code"].Value}");
        }
        return entries;
    }

    [Fact]
    public void Every_defined_code_has_an_entry_under_its_help_link_anchor()
    {
        var codes = DefinedCodes();
        Assert.True(codes.Count >= 59, $"only {codes.Count} codes found by reflection");
        var entries = Entries();
        foreach (var code in codes.Order())
        {
            Assert.True(entries.ContainsKey(code), $"docs/diagnostics.md has no '### {code}' entry");
            // GitHub's anchor for the heading '### MIG206' is 'mig206': the link the tasks attach.
            Assert.EndsWith("#" + code.ToLowerInvariant(), DiagnosticHelp.LinkFor(code));
        }
    }

    [Fact]
    public void Every_entry_is_a_defined_code_with_severity_meaning_fix_and_suppression()
    {
        var codes = DefinedCodes();
        foreach (var (code, body) in Entries())
        {
            Assert.Matches(@"^MIG\d{3}$", code);
            Assert.True(codes.Contains(code), $"docs/diagnostics.md documents {code}, which no code class defines");
            foreach (var field in new[] { "**Severity**:", "**Meaning**:", "**How to fix**:", "**How to suppress**:" })
            {
                Assert.True(body.Contains(field, StringComparison.Ordinal), $"the entry for {code} has no {field}");
            }
        }
    }

    [Fact]
    public void Help_links_point_into_docs_diagnostics_md_and_the_targets_use_the_same_for_MIG013()
    {
        Assert.Equal("https://github.com/migrations-build/migrations-build/blob/main/docs/diagnostics.md#mig206", DiagnosticHelp.LinkFor("MIG206"));
        var targets = File.ReadAllText(Path.Combine(RepositoryRoot, "build", "Migrations.Build.targets"));
        Assert.Contains($"<Warning Code=\"{DiagnosticCodes.UnsupportedMSBuild}\" HelpLink=\"{DiagnosticHelp.LinkFor(DiagnosticCodes.UnsupportedMSBuild)}\"", targets);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Migrations.Build.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Migrations.Build.sln not found above " + AppContext.BaseDirectory);
    }
}
