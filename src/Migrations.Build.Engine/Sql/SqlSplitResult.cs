namespace Migrations.Build.Engine.Sql;

/// <summary>The statements of a SQL text, the problems found on the way, and where the text after the last statement starts.</summary>
public sealed class SqlSplitResult(string source, IReadOnlyList<SqlStatement> statements, IReadOnlyList<SqlProblem> problems, bool swallowsRest = false)
{
    public string Source { get; } = source;
    public IReadOnlyList<SqlStatement> Statements { get; } = statements;
    public IReadOnlyList<SqlProblem> Problems { get; } = problems;

    public bool HasProblems => Problems.Count > 0;

    /// <summary>
    /// An unterminated string, comment or parenthesis runs to the end of the text (MIG101, MIG104): what the file has
    /// after it, a closing COMMIT say, was never read as statements, so checks of how the file ends cannot judge it.
    /// </summary>
    public bool SwallowsRest { get; } = swallowsRest;

    /// <summary>Where the text after the last statement starts: trailing whitespace, comments, lone semicolons.</summary>
    public int TrailingStart => Statements.Count == 0 ? 0 : Statements[^1].End;

    public string TrailingText => Source[TrailingStart..];

    /// <summary>Each statement's segment and then the trailing text: joined, they are <see cref="Source"/> exactly.</summary>
    public IEnumerable<string> Segments()
    {
        foreach (var statement in Statements) yield return statement.SegmentText;
        yield return TrailingText;
    }
}
