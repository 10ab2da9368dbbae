using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Linting;

/// <summary>
/// A cursor over a statement's significant tokens. Keyword tests compare the source text in place, so
/// reading a statement allocates nothing but the names it is asked for. Every test is bounds-checked:
/// reading past the end just finds nothing.
/// </summary>
internal ref struct TokenReader
{
    private readonly ReadOnlySpan<SqlToken> _tokens;
    private readonly string _source;

    public TokenReader(SqlStatement statement)
    {
        _tokens = statement.TokenSpan;
        _source = statement.Source;
    }

    public int Position { get; set; }

    public readonly int Count => _tokens.Length;

    public readonly bool AtEnd => Position >= _tokens.Length;

    public readonly SqlToken this[int index] => _tokens[index];

    public readonly bool IsWord(string word) => IsWordAt(Position, word);

    /// <summary>Length and first letter reject almost every candidate before the full case-insensitive compare.</summary>
    public readonly bool IsWordAt(int index, string word)
    {
        if ((uint)index >= (uint)_tokens.Length) return false;
        var token = _tokens[index];
        return token.Length == word.Length && (_source[token.Start] | 0x20) == (word[0] | 0x20) && token.IsWord(_source, word);
    }

    /// <summary>Moves past <paramref name="word"/> when it is next.</summary>
    public bool Accept(string word)
    {
        if (!IsWord(word)) return false;
        Position++;
        return true;
    }

    /// <summary>Moves past the two words when they are next, in order.</summary>
    public bool Accept(string first, string second)
    {
        if (!IsWord(first) || !IsWordAt(Position + 1, second)) return false;
        Position += 2;
        return true;
    }

    public bool AcceptIfExists() => Accept("IF", "EXISTS");

    public bool AcceptIfNotExists()
    {
        if (!IsWord("IF") || !IsWordAt(Position + 1, "NOT") || !IsWordAt(Position + 2, "EXISTS")) return false;
        Position += 3;
        return true;
    }

    public readonly bool IsPunctuationAt(int index, char c) =>
        (uint)index < (uint)_tokens.Length && _tokens[index].Kind == SqlTokenKind.Punctuation &&
        _tokens[index].Length == 1 && _source[_tokens[index].Start] == c;

    public readonly bool IsPunctuation(char c) => IsPunctuationAt(Position, c);

    public bool AcceptPunctuation(char c)
    {
        if (!IsPunctuation(c)) return false;
        Position++;
        return true;
    }

    /// <summary>Skips the <c>*</c> of <c>ONLY t *</c> / <c>t *</c> (include descendant tables).</summary>
    public void AcceptStar()
    {
        if (Position < _tokens.Length && _tokens[Position].Kind == SqlTokenKind.Operator &&
            _tokens[Position].Length == 1 && _source[_tokens[Position].Start] == '*') Position++;
    }

    /// <summary>At a '(', moves past its matching ')' (or to the end when it has none).</summary>
    public void SkipParenthesized()
    {
        if (!IsPunctuation('(')) return;
        var depth = 0;
        for (; Position < _tokens.Length; Position++)
        {
            if (IsPunctuationAt(Position, '(')) depth++;
            else if (IsPunctuationAt(Position, ')') && --depth == 0)
            {
                Position++;
                return;
            }
        }
    }

    /// <summary>Index of <paramref name="word"/> outside parentheses in [from, to), or -1.</summary>
    public readonly int FindTopLevelWord(int from, int to, string word)
    {
        var depth = 0;
        to = Math.Min(to, _tokens.Length);
        for (var i = Math.Max(from, 0); i < to; i++)
        {
            var token = _tokens[i];
            if (token.Kind == SqlTokenKind.Punctuation)
            {
                var c = _source[token.Start];
                if (c == '(') depth++;
                else if (c == ')' && depth > 0) depth--;
            }
            else if (depth == 0 && IsWordAt(i, word))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Index of the next ',' outside parentheses at or after <paramref name="from"/>, or <see cref="Count"/>.</summary>
    public readonly int NextTopLevelComma(int from)
    {
        var depth = 0;
        for (var i = Math.Max(from, 0); i < _tokens.Length; i++)
        {
            var token = _tokens[i];
            if (token.Kind != SqlTokenKind.Punctuation) continue;
            var c = _source[token.Start];
            if (c == '(' || c == '[') depth++;
            else if ((c == ')' || c == ']') && depth > 0) depth--;
            else if (c == ',' && depth == 0) return i;
        }

        return _tokens.Length;
    }

    public readonly bool IsIdentifierAt(int index) =>
        (uint)index < (uint)_tokens.Length && _tokens[index].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier;

    /// <summary>Whether any identifier from <paramref name="from"/> on is <paramref name="identifier"/> (normalised as PostgreSQL does).</summary>
    public readonly bool MentionsIdentifier(int from, string identifier)
    {
        for (var i = Math.Max(from, 0); i < _tokens.Length; i++)
        {
            var token = _tokens[i];
            if (token.Kind == SqlTokenKind.Word ? token.Length == identifier.Length && EqualsFolded(token, identifier)
                : token.Kind == SqlTokenKind.QuotedIdentifier && Normalize(token) == identifier) return true;
        }

        return false;
    }

    /// <summary>An unquoted word against a normalised name, folding as <see cref="Normalize"/> does but without allocating.</summary>
    private readonly bool EqualsFolded(SqlToken token, string identifier)
    {
        for (var i = 0; i < identifier.Length; i++)
        {
            var c = _source[token.Start + i];
            if ((char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c) != identifier[i]) return false;
        }

        return true;
    }

    /// <summary>Reads one identifier, normalised as PostgreSQL does.</summary>
    public bool TryReadIdentifier(out string identifier)
    {
        if (!IsIdentifierAt(Position))
        {
            identifier = "";
            return false;
        }

        identifier = Normalize(_tokens[Position++]);
        return true;
    }

    /// <summary>Reads <c>name</c>, <c>schema.name</c> or <c>database.schema.name</c>.</summary>
    public bool TryReadName(out SqlObjectName name)
    {
        if (!IsIdentifierAt(Position))
        {
            name = null!;
            return false;
        }

        var last = Position;
        var previous = -1;
        while (IsPunctuationAt(last + 1, '.') && IsIdentifierAt(last + 2))
        {
            previous = last;
            last += 2;
        }

        Position = last + 1;
        name = new SqlObjectName(previous < 0 ? null : Normalize(_tokens[previous]), Normalize(_tokens[last]));
        return true;
    }

    /// <summary>Unquoted: ASCII letters folded to lower case (PostgreSQL leaves other letters alone in UTF-8). Quoted: verbatim, "" unescaped.</summary>
    private readonly string Normalize(SqlToken token)
    {
        var text = token.Span(_source);
        if (token.Kind == SqlTokenKind.Word)
        {
            return string.Create(text.Length, (_source, token.Start), static (buffer, state) =>
            {
                var (source, start) = state;
                for (var i = 0; i < buffer.Length; i++)
                {
                    var c = source[start + i];
                    buffer[i] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
                }
            });
        }

        // "name" or U&"name" (whose \XXXX escapes are left as written), possibly unterminated.
        var open = text.IndexOf('"');
        var body = text[(open + 1)..];
        if (body.Length > 0 && body[^1] == '"') body = body[..^1];
        return body.Contains("\"\"", StringComparison.Ordinal) ? body.ToString().Replace("\"\"", "\"") : body.ToString();
    }
}
