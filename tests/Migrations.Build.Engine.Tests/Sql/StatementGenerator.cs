using System.Text;

namespace Migrations.Build.Engine.Tests.Sql;

/// <summary>
/// Random scripts whose statement boundaries are known by construction: statements of random fragments
/// (words, every kind of quoting with semicolons and quotes inside, comments, parentheses with semicolons
/// inside) joined by semicolons. Returns the expected <c>SqlStatement.Text</c> of each statement.
/// </summary>
internal static class StatementGenerator
{
    private static readonly string[] Words = ["select", "from", "t", "x", "begin", "end", "case", "atomic", "Ünïcode", "a$b", "E", "U", "b"];
    private static readonly string[] Operators = ["+", "-", "*", "/", "<>", "=", "||", "->>", "::", ",", "."];
    private static readonly string[] StringPieces = ["a", ";", "''", "\\", "$$", "\"", "--", "/*", "*/", "\n", " ", "😀"];
    private static readonly string[] EscapePieces = ["a", ";", "''", "\\'", "\\\\", "$$", "\"", "--", "\n", " "];
    private static readonly string[] IdentifierPieces = ["a", ";", "\"\"", "'", " ", "$$"];
    private static readonly string[] DollarPieces = ["a", ";", "'", "\"", "$", "$$", "$x$", "--", "/*", "\\i", "\n", " "];
    private static readonly string[] CommentPieces = ["a", ";", "'", "\"", "$$", "\\i", " ", "-", "E'"];

    public static (string Text, List<string> Expected) Script(Random random)
    {
        var text = new StringBuilder();
        var expected = new List<string>();
        var count = random.Next(6);
        for (var i = 0; i < count; i++)
        {
            text.Append(Trivia(random));
            if (random.Next(8) == 0)
            {
                text.Append(';'); // an empty statement
                continue;
            }

            var body = Body(random, 0);
            var statement = new StringBuilder(body);
            if (random.Next(3) == 0) statement.Append(' ').Append(Trivia(random));
            var last = i == count - 1;
            if (!last || random.Next(2) == 0) statement.Append(';');
            else
            {
                // Unterminated last statement: what follows its last token is trailing text, not part of it.
                expected.Add(body);
                text.Append(statement);
                break;
            }

            expected.Add(statement.ToString());
            text.Append(statement);
        }

        // The space keeps a trailing "--" from joining an operator such as "-" at the end of an unterminated statement.
        text.Append(' ').Append(Trivia(random));
        return (text.ToString(), expected);
    }

    private static string Body(Random random, int depth)
    {
        var body = new StringBuilder();
        var fragments = 1 + random.Next(6);
        for (var i = 0; i < fragments; i++)
        {
            if (i > 0)
            {
                body.Append(' ');
                if (random.Next(4) == 0) body.Append(Trivia(random)).Append(' ');
            }

            var fragment = Fragment(random, depth);
            body.Append(fragment);
            // E'..' then a line break and a quote would continue the literal: keep a non-string after it.
            if (fragment.StartsWith("E'", StringComparison.Ordinal)) body.Append(" ,");
        }

        return body.ToString();
    }

    private static string Fragment(Random random, int depth) => random.Next(11) switch
    {
        0 => Words[random.Next(Words.Length)],
        1 => random.Next(1000).ToString(),
        2 => Quoted(random, "'", "'", StringPieces),
        3 => Quoted(random, "E'", "'", EscapePieces),
        4 => Quoted(random, "\"", "\"", IdentifierPieces),
        5 => DollarQuote(random),
        6 => "$" + (1 + random.Next(20)),
        7 => Operators[random.Next(Operators.Length)],
        8 => depth < 3 ? "(" + Body(random, depth + 1) + " ; " + Body(random, depth + 1) + ")" : "x",
        9 => random.Next(3) switch { 0 => Quoted(random, "U&'", "'", StringPieces), 1 => "B'0101'", _ => "X'1F'" },
        _ => Words[random.Next(Words.Length)],
    };

    private static string Trivia(Random random)
    {
        var trivia = new StringBuilder();
        var count = random.Next(4);
        for (var i = 0; i < count; i++)
        {
            trivia.Append(random.Next(6) switch
            {
                0 => " ",
                1 => "\n",
                2 => "\r\n\t",
                3 => "--" + Pieces(random, CommentPieces) + (random.Next(2) == 0 ? "\n" : "\r\n"),
                _ => BlockComment(random, 0),
            });
        }

        return trivia.ToString();
    }

    private static string BlockComment(Random random, int depth)
    {
        var comment = new StringBuilder("/*");
        var count = random.Next(4);
        for (var i = 0; i < count; i++)
        {
            comment.Append(' ');
            comment.Append(depth < 2 && random.Next(3) == 0 ? BlockComment(random, depth + 1) : Pieces(random, CommentPieces));
        }

        return comment.Append(" */").ToString();
    }

    private static string Quoted(Random random, string open, string close, string[] pieces) => open + Pieces(random, pieces) + close;

    private static string DollarQuote(Random random)
    {
        var tag = random.Next(3) switch { 0 => "", 1 => "body", _ => "_t" + random.Next(10) };
        var delimiter = "$" + tag + "$";
        while (true)
        {
            var quote = delimiter + Pieces(random, DollarPieces) + delimiter;
            // The body must not contain the delimiter, not even by running into the closing one.
            if (quote.IndexOf(delimiter, delimiter.Length, StringComparison.Ordinal) == quote.Length - delimiter.Length) return quote;
        }
    }

    private static string Pieces(Random random, string[] pieces)
    {
        var builder = new StringBuilder();
        var count = random.Next(6);
        for (var i = 0; i < count; i++) builder.Append(pieces[random.Next(pieces.Length)]);
        return builder.ToString();
    }
}
