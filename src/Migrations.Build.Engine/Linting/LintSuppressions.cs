using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Linting;

/// <summary>
/// The <c>-- migrate:ignore CODE[, CODE...]</c> (next statement) and <c>-- migrate:ignore-file CODE...</c> (whole
/// file) line comments of one script. Remembers which ones silenced something, so the rest can be reported
/// (MIG118): a stale suppression would otherwise hide the next real problem.
/// </summary>
internal sealed class LintSuppressions
{
    public const string Directive = "migrate:ignore";
    public const string FileSuffix = "-file";
    private const string Separators = " \t,";

    private readonly List<Entry> _entries = [];
    private readonly List<LintFinding> _problems = [];

    private LintSuppressions()
    {
    }

    public static LintSuppressions Empty { get; } = new();

    /// <summary>No directive at all: nothing to suppress and nothing to report.</summary>
    public bool IsEmpty => _entries.Count == 0 && _problems.Count == 0;

    /// <summary>Malformed directives and codes that cannot be suppressed, as MIG118 findings.</summary>
    public IReadOnlyList<LintFinding> Problems => _problems;

    public static LintSuppressions Parse(string text, IReadOnlyList<SqlStatement> statements)
    {
        // Most files have none: only lex the comments when the directive appears at all.
        if (!text.Contains(Directive, StringComparison.OrdinalIgnoreCase)) return Empty;

        var suppressions = new LintSuppressions();
        var positions = new TextPositionTracker(text);
        var next = 0;
        foreach (var token in SqlLexer.Tokenize(text).Tokens)
        {
            if (token.Kind != SqlTokenKind.LineComment) continue;
            var body = token.Span(text)[2..].TrimStart();
            if (!body.StartsWith(Directive, StringComparison.OrdinalIgnoreCase)) continue;

            // The statement a next-statement suppression applies to: the first that has not ended before the comment.
            while (next < statements.Count && statements[next].End <= token.Start) next++;
            suppressions.Add(body, positions.At(token.Start), next < statements.Count ? next : -1);
        }

        return suppressions;
    }

    private void Add(ReadOnlySpan<char> body, TextPosition position, int statementIndex)
    {
        var rest = body[Directive.Length..];
        var fileWide = rest.StartsWith(FileSuffix, StringComparison.OrdinalIgnoreCase);
        if (fileWide) rest = rest[FileSuffix.Length..];
        var directive = fileWide ? Directive + FileSuffix : Directive;
        if (rest.Length > 0 && !char.IsWhiteSpace(rest[0]))
        {
            Problem(position, $"'-- {body.Trim()}' is not a suppression: write '-- {Directive} MIG112' (next statement) " +
                              $"or '-- {Directive}{FileSuffix} MIG112' (whole file)");
            return;
        }

        // Anything after a second "--" is the reason, for readers.
        var reasonStart = rest.IndexOf("--", StringComparison.Ordinal);
        if (reasonStart >= 0) rest = rest[..reasonStart];

        var count = 0;
        while (true)
        {
            var start = rest.IndexOfAnyExcept(Separators);
            if (start < 0) break;
            rest = rest[start..];
            var end = rest.IndexOfAny(Separators);
            var code = end < 0 ? rest : rest[..end];
            count++;
            AddCode(code, fileWide, directive, position, statementIndex);
            rest = rest[code.Length..];
        }

        if (count == 0)
            Problem(position, $"'-- {directive}' names no code: list the codes to silence, e.g. '-- {directive} MIG112'");
    }

    private void AddCode(ReadOnlySpan<char> code, bool fileWide, string directive, TextPosition position, int statementIndex)
    {
        string? known = null;
        foreach (var candidate in LintCodes.Suppressible)
            if (code.Equals(candidate, StringComparison.OrdinalIgnoreCase)) known = candidate;

        if (known is null)
        {
            Problem(position, code.StartsWith("MIG", StringComparison.OrdinalIgnoreCase)
                ? $"'{code}' cannot be silenced with '-- {directive}': only the SQL lint warnings and errors " +
                  $"{LintCodes.Suppressible[0]} to {LintCodes.Suppressible[^1]} can (use NoWarn for the others)"
                : $"'{code}' in '-- {directive}' is not a diagnostic code: name codes such as MIG112, separated by spaces or commas");
        }
        else if (known == LintCodes.DownDoesNotReverseUp && !fileWide)
        {
            Problem(position, $"{known} is about the whole down script: silence it with '-- {Directive}{FileSuffix} {known}'");
        }
        else if (!fileWide && statementIndex < 0)
        {
            Problem(position, $"'-- {directive} {known}' is followed by no statement, so it silences nothing: remove it");
        }
        else
        {
            _entries.Add(new Entry(known, fileWide, statementIndex, position));
        }
    }

    private void Problem(TextPosition position, string message) =>
        _problems.Add(new LintFinding(LintCodes.UnusedSuppression, DiagnosticSeverity.Warning, message, position, -1));

    /// <summary>True when a suppression covers the finding; every one that does counts as used.</summary>
    public bool Suppresses(LintFinding finding)
    {
        var suppressed = false;
        foreach (var entry in _entries)
        {
            if (!string.Equals(entry.Code, finding.Code, StringComparison.Ordinal)) continue;
            if (!entry.FileWide && (finding.StatementIndex < 0 || entry.StatementIndex != finding.StatementIndex)) continue;
            entry.Used = true;
            suppressed = true;
        }

        return suppressed;
    }

    /// <summary>MIG118 for each code that silenced nothing, skipping codes whose rule did not run.</summary>
    public IEnumerable<LintFinding> Unused(Func<string, bool> ruleRan)
    {
        foreach (var entry in _entries)
        {
            if (entry.Used || !ruleRan(entry.Code)) continue;
            var what = entry.FileWide ? "in this file" : "on the next statement";
            yield return new LintFinding(LintCodes.UnusedSuppression, DiagnosticSeverity.Warning,
                $"the suppression of {entry.Code} silences nothing: there is no {entry.Code} {what} (any more); remove it so it does not hide a future one",
                entry.Position, -1);
        }
    }

    private sealed class Entry(string code, bool fileWide, int statementIndex, TextPosition position)
    {
        public string Code { get; } = code;
        public bool FileWide { get; } = fileWide;
        public int StatementIndex { get; } = statementIndex;
        public TextPosition Position { get; } = position;
        public bool Used { get; set; }
    }
}
