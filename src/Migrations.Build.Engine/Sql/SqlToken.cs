namespace Migrations.Build.Engine.Sql;

/// <summary>
/// A token as a range of the source text: it holds no string, so lexing allocates nothing per token.
/// Offsets count UTF-16 code units, like every index into a .NET string.
/// </summary>
public readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length)
{
    public int End => Start + Length;

    /// <summary>Whitespace, comments and psql meta-commands: never part of what a statement means.</summary>
    public bool IsTrivia => Kind is SqlTokenKind.Whitespace or SqlTokenKind.LineComment or SqlTokenKind.BlockComment
        or SqlTokenKind.PsqlMetaCommand;

    public ReadOnlySpan<char> Span(ReadOnlySpan<char> source) => source.Slice(Start, Length);

    public string GetText(string source) => source.Substring(Start, Length);

    /// <summary>
    /// True when this is an unquoted word equal to <paramref name="word"/> ignoring ASCII case, as PostgreSQL
    /// folds identifiers (so the Turkish dotless i never makes "begın" a BEGIN).
    /// </summary>
    public bool IsWord(ReadOnlySpan<char> source, ReadOnlySpan<char> word) =>
        Kind == SqlTokenKind.Word && System.Text.Ascii.EqualsIgnoreCase(Span(source), word);
}
