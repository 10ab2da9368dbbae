using System.Text;

namespace Migrations.Build.Engine.Sql;

/// <summary>
/// One statement of a SQL text, as psql would send it. Its source runs from the first significant token
/// to the terminating semicolon (included when there is one); its segment also takes in the whitespace,
/// comments and empty statements before it, so the segments of all statements plus the split's trailing
/// text are the whole text again.
/// </summary>
public sealed class SqlStatement
{
    // The split's token array for the whole text, and this statement's slice of it.
    private readonly SqlToken[] _tokens;
    private readonly int _firstToken;
    private readonly int _tokenCount;
    private IReadOnlyList<SqlToken>? _tokenList; // Tokens, made on first use: the engine itself reads TokenSpan

    internal SqlStatement(string source, int index, int segmentStart, int start, int end, TextPosition startPosition,
        bool isTerminated, SqlToken[] tokens, int firstToken, int tokenCount)
    {
        Source = source;
        Index = index;
        SegmentStart = segmentStart;
        Start = start;
        End = end;
        StartPosition = startPosition;
        IsTerminated = isTerminated;
        _tokens = tokens;
        _firstToken = firstToken;
        _tokenCount = tokenCount;
    }

    /// <summary>The whole text the statement was split from.</summary>
    public string Source { get; }

    /// <summary>0-based place among the statements of the text.</summary>
    public int Index { get; }

    /// <summary>Where the previous statement ended (0 for the first): leading whitespace and comments start here.</summary>
    public int SegmentStart { get; }

    /// <summary>Offset of the statement's first significant token.</summary>
    public int Start { get; }

    /// <summary>Exclusive end: after the semicolon, or after the last significant token of an unterminated last statement.</summary>
    public int End { get; }

    /// <summary>1-based line and column of <see cref="Start"/>, as <see cref="TextPosition.FromOffset"/> counts them.</summary>
    public TextPosition StartPosition { get; }

    public int StartLine => StartPosition.Line;
    public int StartColumn => StartPosition.Column;

    /// <summary>False for a last statement that has no semicolon.</summary>
    public bool IsTerminated { get; }

    /// <summary>The significant tokens: no whitespace, comments or psql meta-commands, and not the terminating semicolon.</summary>
    public IReadOnlyList<SqlToken> Tokens => _tokenList ??= new ArraySegment<SqlToken>(_tokens, _firstToken, _tokenCount);

    /// <summary><see cref="Tokens"/> without the list: what the classifier and the keyword tests read.</summary>
    internal ReadOnlySpan<SqlToken> TokenSpan => new(_tokens, _firstToken, _tokenCount);

    /// <summary>What to send to the server: from the first significant token through the semicolon.</summary>
    public string Text => Source.Substring(Start, End - Start);

    /// <summary>Leading whitespace and comments followed by <see cref="Text"/>.</summary>
    public string SegmentText => Source.Substring(SegmentStart, End - SegmentStart);

    /// <summary>
    /// The statement as the file writes it, for quoting in a message: its tokens with one space wherever the file has
    /// whitespace or comments between them, without the semicolon, cut to <paramref name="maxLength"/> characters with "…".
    /// </summary>
    public string Excerpt(int maxLength = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var builder = new StringBuilder();
        var tokens = TokenSpan;
        for (var i = 0; i < tokens.Length && builder.Length <= maxLength; i++)
        {
            if (i > 0 && tokens[i].Start > tokens[i - 1].End) builder.Append(' ');
            foreach (var c in tokens[i].Span(Source)) builder.Append(c is '\r' or '\n' or '\t' ? ' ' : c);
        }

        return builder.Length <= maxLength ? builder.ToString() : builder.ToString(0, maxLength - 1) + "…";
    }

    public ReadOnlySpan<char> TextSpan => Source.AsSpan(Start, End - Start);

    public string TextOf(SqlToken token) => token.GetText(Source);

    /// <summary>
    /// Up to <paramref name="count"/> leading words, ASCII upper-cased as PostgreSQL folds keywords, and separated by one space, stopping at the
    /// first token that is not a word: "CREATE INDEX CONCURRENTLY" whatever the spacing, case or comments.
    /// </summary>
    public string FirstWords(int count)
    {
        var builder = new StringBuilder();
        var tokens = TokenSpan;
        for (var i = 0; i < tokens.Length && i < count; i++)
        {
            var token = tokens[i];
            if (token.Kind != SqlTokenKind.Word) break;
            if (builder.Length > 0) builder.Append(' ');
            foreach (var c in token.Span(Source)) builder.Append(char.IsAsciiLetterLower(c) ? (char)(c - ('a' - 'A')) : c);
        }

        return builder.ToString();
    }

    /// <summary>True when the statement starts with these words, ignoring case: <c>StartsWithWords("CREATE", "INDEX")</c>.</summary>
    public bool StartsWithWords(params string[] words)
    {
        var tokens = TokenSpan;
        if (tokens.Length < words.Length) return false;
        for (var i = 0; i < words.Length; i++)
            if (!tokens[i].IsWord(Source, words[i])) return false;
        return true;
    }

    public override string ToString() => $"({StartLine},{StartColumn}) {Text}";
}
