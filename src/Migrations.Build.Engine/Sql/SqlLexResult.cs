namespace Migrations.Build.Engine.Sql;

/// <summary>All tokens of a text, trivia included, so their lengths add up to the whole text; and what did not terminate.</summary>
public sealed class SqlLexResult(string source, IReadOnlyList<SqlToken> tokens, IReadOnlyList<SqlProblem> problems)
{
    public string Source { get; } = source;
    public IReadOnlyList<SqlToken> Tokens { get; } = tokens;

    /// <summary><see cref="SqlProblemCodes.Unterminated"/> problems, at the start of the construct.</summary>
    public IReadOnlyList<SqlProblem> Problems { get; } = problems;
}
