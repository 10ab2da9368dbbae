using System.Text;

namespace Migrations.Build.Engine.Tests.Sql;

/// <summary>Random text biased towards the characters and words that matter to SQL lexing and splitting.</summary>
internal static class RandomSqlText
{
    private static readonly string[] Pieces =
    [
        "'", "''", "\"", "$", "$$", "$a$", "$1", "/", "*", "/*", "*/", "-", "--", ";", ";", "\\", "\\i x", "\n", "\r\n", "\r",
        " ", " ", "\t", "(", ")", "a", "E", "e'", "U&", "B'", "x", "1", ".5", "é", "\uFEFF", "😀", "\uD800", "\uDC00",
        "begin", "BEGIN ATOMIC", "end", "case", "create function f()", "create or replace procedure", "select",
    ];

    public static string Next(Random random, int maxPieces)
    {
        var builder = new StringBuilder();
        var count = random.Next(maxPieces + 1);
        for (var i = 0; i < count; i++)
        {
            if (random.Next(8) == 0) builder.Append((char)random.Next(0, 0x3000));
            else builder.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return builder.ToString();
    }
}
