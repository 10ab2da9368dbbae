using System.Runtime.CompilerServices;

namespace Migrations.Build.Engine.Sql;

/// <summary>
/// PostgreSQL's lexical rules (src/backend/parser/scan.l, as psql applies them in psqlscan.l), reduced to
/// what is needed to know where tokens start and end: which characters are quoted, commented or code.
/// It never throws: an unterminated construct becomes one token running to the end of the text, and a
/// character that starts no token becomes an <see cref="SqlTokenKind.Other"/> token of its own.
/// Assumes standard_conforming_strings = on (the default since PostgreSQL 9.1): in '...' a backslash is
/// an ordinary character.
/// </summary>
/// <remarks>
/// The tiny character tests are <see cref="MethodImplOptions.AggressiveInlining"/> so that the big methods'
/// inlining budget never leaves a call per character behind in optimized code.
/// </remarks>
public static class SqlLexer
{
    /// <summary>Every token of <paramref name="text"/>, trivia included, and the unterminated constructs.</summary>
    public static SqlLexResult Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new PooledList<SqlToken>(text.Length / 3);
        List<SqlProblem>? problems = null;
        var span = text.AsSpan();
        var position = 0;
        while (position < span.Length)
        {
            var token = ReadToken(span, position, out var unterminated);
            tokens.Add(token);
            if (unterminated)
            {
                problems ??= [];
                problems.Add(Unterminated(text, token, TextPosition.FromOffset(span, token.Start)));
            }

            position = token.End;
        }

        var result = new SqlLexResult(text, tokens.ToArray(), problems ?? (IReadOnlyList<SqlProblem>)Array.Empty<SqlProblem>());
        tokens.Return();
        return result;
    }

    /// <summary>
    /// The token starting at <paramref name="start"/>, which must be inside <paramref name="text"/>.
    /// The token is never empty. <paramref name="unterminated"/> is true when a string, quoted identifier,
    /// dollar quote or block comment has no end: the token then runs to the end of the text.
    /// </summary>
    public static SqlToken ReadToken(ReadOnlySpan<char> text, int start, out bool unterminated)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)start, (uint)text.Length, nameof(start));
        unterminated = false;
        var c = text[start];
        var next = start + 1 < text.Length ? text[start + 1] : '\0';
        int end;
        switch (c)
        {
            case ' ' or '\t' or '\n' or '\r' or '\f' or '\v' or '\uFEFF':
                return new SqlToken(SqlTokenKind.Whitespace, start, SkipWhitespace(text, start + 1) - start);

            case ';':
                return new SqlToken(SqlTokenKind.Semicolon, start, 1);

            case '(' or ')' or '[' or ']' or ',':
                return new SqlToken(SqlTokenKind.Punctuation, start, 1);

            case ':':
                return new SqlToken(SqlTokenKind.Punctuation, start, next == ':' ? 2 : 1);

            case '.':
                return IsDigit(next)
                    ? new SqlToken(SqlTokenKind.Number, start, ReadNumber(text, start) - start)
                    : new SqlToken(SqlTokenKind.Punctuation, start, 1);

            case '-' when next == '-':
                end = text[start..].IndexOfAny('\n', '\r');
                return new SqlToken(SqlTokenKind.LineComment, start, end < 0 ? text.Length - start : end);

            case '/' when next == '*':
                end = ReadBlockComment(text, start, out unterminated);
                return new SqlToken(SqlTokenKind.BlockComment, start, end - start);

            case '\'':
                end = ReadQuoted(text, start + 1, '\'', out unterminated);
                return new SqlToken(SqlTokenKind.String, start, end - start);

            case '"':
                end = ReadQuoted(text, start + 1, '"', out unterminated);
                return new SqlToken(SqlTokenKind.QuotedIdentifier, start, end - start);

            case '$':
                return ReadDollar(text, start, out unterminated);

            case '\\':
                // psql takes a backslash outside quotes as a meta-command with arguments up to the end of the line.
                end = text[start..].IndexOfAny('\n', '\r');
                return new SqlToken(SqlTokenKind.PsqlMetaCommand, start, end < 0 ? text.Length - start : end);

            case 'E' or 'e' when next == '\'':
                end = ReadEscapeString(text, start + 2, out unterminated);
                return new SqlToken(SqlTokenKind.EscapeString, start, end - start);

            case 'B' or 'b' or 'X' or 'x' or 'N' or 'n' when next == '\'':
                // Bit strings have no '' escape, but a doubled quote there closes one literal and opens the next,
                // so the quoted region ends at the same place.
                end = ReadQuoted(text, start + 2, '\'', out unterminated);
                return new SqlToken(SqlTokenKind.String, start, end - start);

            case 'U' or 'u' when next == '&' && start + 2 < text.Length && text[start + 2] is '\'' or '"':
                var quote = text[start + 2];
                end = ReadQuoted(text, start + 3, quote, out unterminated);
                return new SqlToken(quote == '\'' ? SqlTokenKind.String : SqlTokenKind.QuotedIdentifier, start, end - start);
        }

        if (IsIdentifierStart(c))
        {
            end = start + 1;
            while (end < text.Length && IsIdentifierPart(text[end])) end++;
            return new SqlToken(SqlTokenKind.Word, start, end - start);
        }

        if (IsDigit(c)) return new SqlToken(SqlTokenKind.Number, start, ReadNumber(text, start) - start);

        if (IsOperatorChar(c))
        {
            // An operator stops where a comment starts: "+--x" is "+" and a comment, as in PostgreSQL.
            end = start + 1;
            while (end < text.Length && IsOperatorChar(text[end]) && !StartsComment(text, end)) end++;
            return new SqlToken(SqlTokenKind.Operator, start, end - start);
        }

        return new SqlToken(SqlTokenKind.Other, start, 1);
    }

    /// <summary>The MIG101 problem for an unterminated token, worded for its kind.</summary>
    internal static SqlProblem Unterminated(ReadOnlySpan<char> source, SqlToken token, TextPosition position)
    {
        var what = token.Kind switch
        {
            SqlTokenKind.BlockComment => "block comment: '/*' has no matching '*/' (block comments nest)",
            SqlTokenKind.QuotedIdentifier => "quoted identifier: the closing '\"' is missing",
            SqlTokenKind.DollarString => $"dollar-quoted string: no closing '{DollarTag(token.Span(source))}'",
            _ => "string literal: the closing quote is missing",
        };
        return new SqlProblem(SqlProblemCodes.Unterminated,
            $"unterminated {what}, so the rest of the file is part of it", token.Start, position);
    }

    private static ReadOnlySpan<char> DollarTag(ReadOnlySpan<char> token) => token[..(token[1..].IndexOf('$') + 2)];

    /// <summary>Index after the closing quote of a '...' or "..." body starting at <paramref name="from"/>; a doubled quote is an escaped one.</summary>
    private static int ReadQuoted(ReadOnlySpan<char> text, int from, char quote, out bool unterminated)
    {
        var position = from;
        while (true)
        {
            var found = position < text.Length ? text[position..].IndexOf(quote) : -1;
            if (found < 0)
            {
                unterminated = true;
                return text.Length;
            }

            position += found + 1;
            if (position < text.Length && text[position] == quote)
            {
                position++;
                continue;
            }

            unterminated = false;
            return position;
        }
    }

    /// <summary>
    /// Index after an E'...' body starting at <paramref name="from"/>. A backslash escapes the next character.
    /// E'a' followed by a line break and another '...' continues the same literal with the same escapes,
    /// so "E'a'\n'\';" is still open at the semicolon.
    /// </summary>
    private static int ReadEscapeString(ReadOnlySpan<char> text, int from, out bool unterminated)
    {
        var position = from;
        while (true)
        {
            var found = position < text.Length ? text[position..].IndexOfAny('\'', '\\') : -1;
            if (found < 0)
            {
                unterminated = true;
                return text.Length;
            }

            position += found + 1;
            if (text[position - 1] == '\\' || (position < text.Length && text[position] == '\''))
            {
                position++;
                continue;
            }

            var continuation = ContinuationQuote(text, position);
            if (continuation < 0)
            {
                unterminated = false;
                return position;
            }

            position = continuation + 1;
        }
    }

    /// <summary>
    /// The index of the quote that continues a string literal closed just before <paramref name="from"/>:
    /// whitespace and -- comments including at least one line break, then a quote. -1 when there is none.
    /// </summary>
    private static int ContinuationQuote(ReadOnlySpan<char> text, int from)
    {
        var sawLineBreak = false;
        var position = from;
        while (position < text.Length)
        {
            var c = text[position];
            if (c is '\n' or '\r')
            {
                sawLineBreak = true;
                position++;
            }
            else if (IsWhitespace(c) && c != '\uFEFF')
            {
                position++;
            }
            else if (c == '-' && position + 1 < text.Length && text[position + 1] == '-')
            {
                var lineEnd = text[position..].IndexOfAny('\n', '\r');
                if (lineEnd < 0) return -1;
                position += lineEnd;
            }
            else
            {
                return sawLineBreak && c == '\'' ? position : -1;
            }
        }

        return -1;
    }

    /// <summary>Index after a block comment starting at <paramref name="start"/>, counting nested /* */ pairs.</summary>
    private static int ReadBlockComment(ReadOnlySpan<char> text, int start, out bool unterminated)
    {
        var depth = 1;
        var position = start + 2;
        while (true)
        {
            var found = position < text.Length ? text[position..].IndexOfAny('*', '/') : -1;
            if (found < 0)
            {
                unterminated = true;
                return text.Length;
            }

            position += found;
            if (position + 1 >= text.Length)
            {
                unterminated = true;
                return text.Length;
            }

            if (text[position] == '*' && text[position + 1] == '/')
            {
                position += 2;
                if (--depth == 0)
                {
                    unterminated = false;
                    return position;
                }
            }
            else if (text[position] == '/' && text[position + 1] == '*')
            {
                position += 2;
                depth++;
            }
            else
            {
                position++;
            }
        }
    }

    /// <summary>
    /// At a '$': a parameter ($1), a dollar-quoted string ($$...$$, $tag$...$tag$), or a lone '$'.
    /// A tag is a letter or '_' then letters, digits or '_', so "$1" is never a tag. PostgreSQL ends the body at
    /// the first exact, case-sensitive occurrence of the opening delimiter, so other tags inside are plain text.
    /// </summary>
    private static SqlToken ReadDollar(ReadOnlySpan<char> text, int start, out bool unterminated)
    {
        unterminated = false;
        var position = start + 1;
        if (position < text.Length && IsDigit(text[position]))
        {
            while (position < text.Length && IsDigit(text[position])) position++;
            return new SqlToken(SqlTokenKind.Parameter, start, position - start);
        }

        if (position < text.Length && IsIdentifierStart(text[position]))
        {
            position++;
            while (position < text.Length && IsDollarTagPart(text[position])) position++;
        }

        if (position >= text.Length || text[position] != '$') return new SqlToken(SqlTokenKind.Other, start, 1);

        var bodyStart = position + 1;
        var delimiter = text[start..bodyStart];
        var found = text[bodyStart..].IndexOf(delimiter);
        if (found < 0)
        {
            unterminated = true;
            return new SqlToken(SqlTokenKind.DollarString, start, text.Length - start);
        }

        return new SqlToken(SqlTokenKind.DollarString, start, bodyStart + found + delimiter.Length - start);
    }

    /// <summary>Index after a number: 42, 1_000, 3.14, .5, 1e-3, 0x1F, 0o17, 0b101. Trailing junk is left to the next token.</summary>
    private static int ReadNumber(ReadOnlySpan<char> text, int start)
    {
        var position = start;
        if (text[position] == '0' && position + 1 < text.Length && (char)(text[position + 1] | 0x20) is 'x' or 'o' or 'b')
        {
            position += 2;
            while (position < text.Length && (IsAsciiLetterOrDigit(text[position]) || text[position] == '_')) position++;
            return position;
        }

        position = SkipDigits(text, position);
        // "1..10" is an integer and a range operator in PL/pgSQL, not "1." and ".10".
        if (position < text.Length && text[position] == '.' && !(position + 1 < text.Length && text[position + 1] == '.'))
            position = SkipDigits(text, position + 1);

        if (position < text.Length && (text[position] | 0x20) == 'e')
        {
            var exponent = position + 1;
            if (exponent < text.Length && text[exponent] is '+' or '-') exponent++;
            if (exponent < text.Length && IsDigit(text[exponent])) position = SkipDigits(text, exponent);
        }

        return position;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipDigits(ReadOnlySpan<char> text, int position)
    {
        while (position < text.Length && (IsDigit(text[position]) || text[position] == '_')) position++;
        return position;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool StartsComment(ReadOnlySpan<char> text, int position) =>
        position + 1 < text.Length && ((text[position] == '-' && text[position + 1] == '-') ||
                                       (text[position] == '/' && text[position + 1] == '*'));

    /// <summary>Index of the first non-whitespace character at or after <paramref name="position"/>, or the length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int SkipWhitespace(ReadOnlySpan<char> text, int position)
    {
        while (position < text.Length && IsWhitespace(text[position])) position++;
        return position;
    }

    // PostgreSQL's whitespace is [ \t\n\r\f\v]; a byte order mark counts too, so a file's BOM never starts a statement.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v' or '\uFEFF';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsAsciiLetterOrDigit(char c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a' || IsDigit(c);

    // PostgreSQL accepts every non-ASCII character in identifiers (it looks at bytes >= 0x80); surrogate pairs
    // therefore stay inside one token.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsIdentifierStart(char c) =>
        (uint)((c | 0x20) - 'a') <= 'z' - 'a' || c == '_' || (c >= '\u0080' && c != '\uFEFF');

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || IsDigit(c) || c == '$';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDollarTagPart(char c) => IsIdentifierStart(c) || IsDigit(c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsOperatorChar(char c) => c is '+' or '-' or '*' or '/' or '<' or '>' or '=' or '~' or '!'
        or '@' or '#' or '%' or '^' or '&' or '|' or '`' or '?';
}
