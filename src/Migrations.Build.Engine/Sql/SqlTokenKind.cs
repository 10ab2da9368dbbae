namespace Migrations.Build.Engine.Sql;

/// <summary>What a <see cref="SqlToken"/> is, at the level of detail that statement splitting and later checks need.</summary>
public enum SqlTokenKind : byte
{
    /// <summary>An unquoted identifier or keyword: PostgreSQL's lexer does not tell them apart either.</summary>
    Word,

    /// <summary><c>"name"</c> or <c>U&amp;"name"</c>, with <c>""</c> standing for one quote.</summary>
    QuotedIdentifier,

    /// <summary><c>'...'</c> with <c>''</c> for a quote, and the prefixed forms <c>U&amp;'...'</c>, <c>N'...'</c>, <c>B'...'</c>, <c>X'...'</c>.</summary>
    String,

    /// <summary><c>E'...'</c>: backslash escapes as well as <c>''</c>.</summary>
    EscapeString,

    /// <summary><c>$$...$$</c> or <c>$tag$...$tag$</c>: nothing inside is special.</summary>
    DollarString,

    Number,

    /// <summary>A positional parameter such as <c>$1</c>.</summary>
    Parameter,

    /// <summary>A run of operator characters such as <c>+</c>, <c>&lt;&gt;</c> or <c>-&gt;&gt;</c>.</summary>
    Operator,

    /// <summary>One of <c>( ) [ ] , . :</c> or <c>::</c>.</summary>
    Punctuation,

    Semicolon,

    /// <summary><c>--</c> up to, not including, the end of the line.</summary>
    LineComment,

    /// <summary><c>/* ... */</c>, which nests in PostgreSQL.</summary>
    BlockComment,

    /// <summary>Spaces, tabs, line breaks, form feeds and a byte order mark.</summary>
    Whitespace,

    /// <summary>A backslash outside any quotes up to the end of its line, such as <c>\i file.sql</c>: psql's, not SQL.</summary>
    PsqlMetaCommand,

    /// <summary>A character that starts no PostgreSQL token, such as a lone <c>$</c> or <c>{</c>; the server rejects it.</summary>
    Other,
}
