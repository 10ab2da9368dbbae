using System.Runtime.CompilerServices;

namespace Migrations.Build.Engine.Sql;

/// <summary>
/// psql's rule for which semicolon ends a statement (psqlscan.l): one outside parentheses and outside the
/// BEGIN ... END body of a SQL-standard function. psql recognises such a body without parsing: when the
/// statement's first words are CREATE [OR REPLACE] FUNCTION|PROCEDURE, each BEGIN outside parentheses
/// opens a block, each CASE inside a block opens one too (it also closes with END), and each END closes one.
/// Mirroring psql exactly, odd cases included, keeps our statements the ones psql users expect.
/// </summary>
internal struct StatementBoundaryTracker
{
    private int _parenDepth;

    /// <summary>Where the outermost '(' still open was, while <see cref="InParentheses"/>.</summary>
    public int OpenParenthesisOffset { get; private set; }

    /// <summary>A '(' is open: semicolons do not end the statement until its ')'.</summary>
    public readonly bool InParentheses => _parenDepth > 0;
    private int _beginDepth;
    private int _wordCount;

    // First letters (lower case) of the first four words when they are CREATE, OR, REPLACE, FUNCTION or
    // PROCEDURE, '\0' otherwise: psql's identifiers[] array.
    private char _word0, _word1, _word2, _word3;

    /// <summary>Feeds the next significant token; true when it is a semicolon that ends the statement.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool EndsStatement(SqlToken token, ReadOnlySpan<char> source)
    {
        switch (token.Kind)
        {
            case SqlTokenKind.Semicolon:
                if (_parenDepth != 0 || _beginDepth != 0) return false;
                _wordCount = 0;
                return true;
            case SqlTokenKind.Punctuation:
                var c = source[token.Start];
                if (c == '(')
                {
                    if (_parenDepth++ == 0) OpenParenthesisOffset = token.Start;
                }
                else if (c == ')' && _parenDepth > 0)
                {
                    _parenDepth--;
                }
                return false;
            case SqlTokenKind.Word:
                ObserveWord(token.Span(source));
                return false;
            default:
                return false;
        }
    }

    private void ObserveWord(ReadOnlySpan<char> word)
    {
        if (_wordCount == 0) _word0 = _word1 = _word2 = _word3 = '\0';
        if (_wordCount < 4 && IsFunctionHeaderWord(word))
        {
            var letter = (char)(word[0] | 0x20);
            switch (_wordCount)
            {
                case 0: _word0 = letter; break;
                case 1: _word1 = letter; break;
                case 2: _word2 = letter; break;
                default: _word3 = letter; break;
            }
        }

        _wordCount++;

        var createsRoutine = _word0 == 'c' &&
            (_word1 is 'f' or 'p' || (_word1 == 'o' && _word2 == 'r' && _word3 is 'f' or 'p'));
        if (!createsRoutine || _parenDepth != 0) return;

        if (Is(word, "begin")) _beginDepth++;
        else if (Is(word, "case") && _beginDepth >= 1) _beginDepth++;
        else if (Is(word, "end") && _beginDepth > 0) _beginDepth--;
    }

    // The length picks the one keyword a word can be, so most words cost one comparison of lengths.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsFunctionHeaderWord(ReadOnlySpan<char> word) => word.Length switch
    {
        2 => Is(word, "or"),
        6 => Is(word, "create"),
        7 => Is(word, "replace"),
        8 => Is(word, "function"),
        9 => Is(word, "procedure"),
        _ => false,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Is(ReadOnlySpan<char> word, string keyword) =>
        word.Length == keyword.Length && System.Text.Ascii.EqualsIgnoreCase(word, keyword);
}
