namespace Migrations.Build.Engine.Sql;

/// <summary>
/// Splits a SQL text into statements the way psql does (see <see cref="StatementBoundaryTracker"/>), so a
/// runner can send them one by one and map server error positions back to the file. Never throws: problems
/// (unterminated constructs, psql meta-commands, COPY through the client) are reported and splitting carries on.
/// </summary>
public static class SqlStatementSplitter
{
    private const int MaxCommandNameLength = 40;

    public static SqlSplitResult Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var source = text.AsSpan();
        // Working lists from the pool: per text, only the exact token array and the statements are allocated.
        var significant = new PooledList<SqlToken>(source.Length / 4);
        var found = new PooledList<FoundStatement>(16);
        List<SqlProblem>? problems = null;
        var positions = new TextPositionTracker(text);
        var boundary = new StatementBoundaryTracker();
        var swallowsRest = false; // an unterminated token or '(' ran to the end of the text
        SqlProblem? unclosed = null;

        var segmentStart = 0;
        var firstToken = -1; // index in significant of the current statement's first token; -1 between statements
        var statementPosition = TextPosition.Start;
        var offset = 0;
        while (offset < source.Length)
        {
            // Whitespace is every other token and means nothing here: skip it without making a token of it.
            if (SqlLexer.IsWhitespace(source[offset]))
            {
                offset = SqlLexer.SkipWhitespace(source, offset + 1);
                continue;
            }

            var token = SqlLexer.ReadToken(source, offset, out var unterminated);
            offset = token.End;
            if (unterminated)
            {
                (problems ??= []).Add(SqlLexer.Unterminated(source, token, positions.At(token.Start)));
                swallowsRest = true;
            }

            if (token.IsTrivia)
            {
                if (token.Kind == SqlTokenKind.PsqlMetaCommand)
                    (problems ??= []).Add(MetaCommand(source, token, positions.At(token.Start)));
                continue;
            }

            if (boundary.EndsStatement(token, source))
            {
                // A semicolon with nothing before it is an empty statement: skipped, its text left to the next segment.
                if (firstToken < 0) continue;
                found.Add(new FoundStatement(segmentStart, token.End, statementPosition, true, firstToken, significant.Count - firstToken));
                segmentStart = token.End;
                firstToken = -1;
                continue;
            }

            if (firstToken < 0)
            {
                firstToken = significant.Count;
                statementPosition = positions.At(token.Start);
            }

            significant.Add(token);
        }

        if (firstToken >= 0)
        {
            var lastEnd = significant[significant.Count - 1].End;
            found.Add(new FoundStatement(segmentStart, lastEnd, statementPosition, false, firstToken, significant.Count - firstToken));
            // An unterminated string already explains an open '(' before it.
            if (boundary.InParentheses && !swallowsRest)
            {
                unclosed = UnclosedParenthesis(text, boundary.OpenParenthesisOffset, statementPosition);
                swallowsRest = true;
            }
        }

        // One token array for the whole text, which every statement shares a slice of.
        var tokens = significant.ToArray();
        significant.Return();
        var statements = new SqlStatement[found.Count];
        for (var i = 0; i < found.Count; i++)
        {
            var f = found[i];
            statements[i] = new SqlStatement(text, i, f.SegmentStart, tokens[f.FirstToken].Start, f.End, f.Position,
                f.IsTerminated, tokens, f.FirstToken, f.TokenCount);
            if (tokens[f.FirstToken].IsWord(source, "COPY") && ClientDataOf(source, tokens, f.FirstToken + 1, f.FirstToken + f.TokenCount) is { } stream)
                (problems ??= []).Add(CopyWithClientData(source, stream));
        }

        found.Return();
        if (unclosed is not null) InsertInOrder(problems ??= [], unclosed);

        return new SqlSplitResult(text, statements, problems ?? (IReadOnlyList<SqlProblem>)Array.Empty<SqlProblem>(), swallowsRest);
    }

    /// <summary>
    /// Where in the file the server's error position points. PostgreSQL reports a 1-based position counted in
    /// characters (code points) of the query string it received, here <paramref name="statement"/>'s
    /// <see cref="SqlStatement.Text"/>; .NET counts UTF-16 units, so a surrogate pair is one character.
    /// Positions outside the statement are clamped to it.
    /// </summary>
    public static TextPosition PositionOf(SqlStatement statement, int oneBasedCharPosition)
    {
        ArgumentNullException.ThrowIfNull(statement);
        return TextPosition.FromOffset(statement.Source, OffsetOf(statement.Source, statement.Start, statement.End, oneBasedCharPosition));
    }

    /// <summary>Same for a query that was sent from <paramref name="queryStart"/> to the end of <paramref name="source"/> (a whole file, say).</summary>
    public static TextPosition PositionOf(string source, int queryStart, int oneBasedCharPosition)
    {
        ArgumentNullException.ThrowIfNull(source);
        queryStart = Math.Clamp(queryStart, 0, source.Length);
        return TextPosition.FromOffset(source, OffsetOf(source, queryStart, source.Length, oneBasedCharPosition));
    }

    /// <summary>The UTF-16 offset in <paramref name="source"/> of the character the server's 1-based position names.</summary>
    public static int OffsetOf(SqlStatement statement, int oneBasedCharPosition)
    {
        ArgumentNullException.ThrowIfNull(statement);
        return OffsetOf(statement.Source, statement.Start, statement.End, oneBasedCharPosition);
    }

    private static int OffsetOf(string source, int start, int end, int oneBasedCharPosition)
    {
        var offset = start;
        for (var remaining = oneBasedCharPosition - 1; remaining > 0 && offset < end; remaining--)
        {
            var pair = char.IsHighSurrogate(source[offset]) && offset + 1 < end && char.IsLowSurrogate(source[offset + 1]);
            offset += pair ? 2 : 1;
        }

        return offset;
    }

    /// <summary>
    /// MIG104: psql, like this splitter, ends no statement inside parentheses, so every statement after an unclosed '('
    /// (a COMMIT, say) is part of its statement: worth saying, rather than the transaction problems it looks like.
    /// </summary>
    private static SqlProblem UnclosedParenthesis(string text, int offset, TextPosition statement) =>
        new(SqlProblemCodes.UnclosedParenthesis,
            $"'(' is never closed, so no semicolon after it ends the statement that starts at line {statement.Line}: " +
            "the rest of the file is part of that statement; add the missing ')'",
            offset, TextPosition.FromOffset(text, offset));

    /// <summary>Problems are listed in file order.</summary>
    private static void InsertInOrder(List<SqlProblem> problems, SqlProblem problem)
    {
        var at = problems.FindIndex(p => p.Offset > problem.Offset);
        problems.Insert(at < 0 ? problems.Count : at, problem);
    }

    private static SqlProblem MetaCommand(ReadOnlySpan<char> source, SqlToken token, TextPosition position)
    {
        var text = token.Span(source);
        var nameLength = 1;
        while (nameLength < text.Length && nameLength < MaxCommandNameLength && !char.IsWhiteSpace(text[nameLength])) nameLength++;
        return new SqlProblem(SqlProblemCodes.PsqlMetaCommand,
            $"psql meta-commands like \\i are not SQL: a migration runs through a database driver, not psql (found '{text[..nameLength]}')",
            token.Start, position);
    }

    /// <summary>The STDIN or STDOUT word of a COPY statement's tokens, if any.</summary>
    private static SqlToken? ClientDataOf(ReadOnlySpan<char> source, SqlToken[] tokens, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (tokens[i].IsWord(source, "STDIN") || tokens[i].IsWord(source, "STDOUT")) return tokens[i];
        }
        return null;
    }

    private static SqlProblem CopyWithClientData(ReadOnlySpan<char> source, SqlToken stream) =>
        new(SqlProblemCodes.CopyWithClientData,
            $"COPY … {(stream.IsWord(source, "STDIN") ? "FROM STDIN" : "TO STDOUT")} streams data through the client, as psql does; a migration runs " +
            "through a database driver that sends statements only: write the rows as INSERT … VALUES, or COPY from a file on the server",
            stream.Start, TextPosition.FromOffset(source, stream.Start));

    private readonly record struct FoundStatement(int SegmentStart, int End, TextPosition Position, bool IsTerminated, int FirstToken, int TokenCount);
}
