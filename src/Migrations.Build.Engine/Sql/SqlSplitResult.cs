namespace Migrations.Build.Engine.Sql;

/// <summary>The statements of a SQL text, the problems found on the way, and where the text after the last statement starts.</summary>
public sealed class SqlSplitResult(string source, IReadOnlyList<SqlStatement> statements, IReadOnlyList<SqlProblem> problems)
{
    public string Source { get; } = source;
    public IReadOnlyList<SqlStatement> Statements { get; } = statements;
    public IReadOnlyList<SqlProblem> Problems { get; } = problems;

    public bool HasProblems => Problems.Count > 0;

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
