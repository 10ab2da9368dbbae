using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Tests.Sql;

public sealed class SqlLexerTests
{
    /// <summary>Kind and text of every token that is not whitespace.</summary>
    private static List<(SqlTokenKind Kind, string Text)> Lex(string text)
    {
        var result = SqlLexer.Tokenize(text);
        AssertCoversText(result);
        return result.Tokens.Where(t => t.Kind != SqlTokenKind.Whitespace).Select(t => (t.Kind, t.GetText(text))).ToList();
    }

    private static void AssertCoversText(SqlLexResult result)
    {
        var offset = 0;
        foreach (var token in result.Tokens)
        {
            Assert.Equal(offset, token.Start);
            Assert.True(token.Length > 0);
            offset = token.End;
        }

        Assert.Equal(result.Source.Length, offset);
    }

    private static (SqlTokenKind, string) Single(string text)
    {
        var tokens = Lex(text);
        Assert.Single(tokens);
        Assert.Empty(SqlLexer.Tokenize(text).Problems);
        return tokens[0];
    }

    [Theory]
    [InlineData("select")]
    [InlineData("_x1")]
    [InlineData("a$b$")]
    [InlineData("café")]
    [InlineData("x😀y")]
    [InlineData("Eab")]
    public void Words(string text) => Assert.Equal((SqlTokenKind.Word, text), Single(text));

    [Theory]
    [InlineData("'a;b'")]
    [InlineData("'it''s'")]
    [InlineData("''")]
    [InlineData("'C:\\path\\'")]
    [InlineData("U&'d\\0061t'")]
    [InlineData("u&'x'")]
    [InlineData("N'abc'")]
    [InlineData("B'1010'")]
    [InlineData("x'1F'")]
    public void Strings(string text) => Assert.Equal((SqlTokenKind.String, text), Single(text));

    [Theory]
    [InlineData("E'\\''")]
    [InlineData("E'\\\\'")]
    [InlineData("e'a\\'b;c'")]
    [InlineData("E'it''s'")]
    [InlineData("E'a'\n'\\';b'")]
    [InlineData("E'a' -- comment\n  'b'")]
    public void EscapeStrings(string text) => Assert.Equal((SqlTokenKind.EscapeString, text), Single(text));

    [Fact]
    public void Escaped_backslash_then_quote_closes_the_escape_string()
    {
        Assert.Equal(
            [(SqlTokenKind.EscapeString, "E'\\\\'"), (SqlTokenKind.Semicolon, ";"), (SqlTokenKind.String, "'x'")],
            Lex("E'\\\\'; 'x'"));
    }

    [Fact]
    public void Escape_string_continues_only_across_a_line_break()
    {
        Assert.Equal([(SqlTokenKind.EscapeString, "E'a'"), (SqlTokenKind.String, "'b'")], Lex("E'a' 'b'"));
        Assert.Equal([(SqlTokenKind.String, "'a'"), (SqlTokenKind.String, "'b'")], Lex("'a'\n'b'"));
    }

    [Theory]
    [InlineData("$$a;b$$")]
    [InlineData("$$$$")]
    [InlineData("$tag$ $$ ; $other$ $tag$")]
    [InlineData("$a$ $A$ $a$")]
    [InlineData("$_$x$_$")]
    [InlineData("$t1$ x $t1$")]
    [InlineData("$é$ x $é$")]
    [InlineData("$body$\nbegin\n  return 1; -- 'unbalanced\nend\n$body$")]
    public void Dollar_quotes(string text) => Assert.Equal((SqlTokenKind.DollarString, text), Single(text));

    [Fact]
    public void A_dollar_quote_ends_at_the_first_exact_delimiter()
    {
        Assert.Equal(
            [(SqlTokenKind.DollarString, "$a$x$b$a$"), (SqlTokenKind.Word, "y")],
            Lex("$a$x$b$a$ y"));
    }

    [Theory]
    [InlineData("$1")]
    [InlineData("$12")]
    public void Parameters(string text) => Assert.Equal((SqlTokenKind.Parameter, text), Single(text));

    [Fact]
    public void Parameters_are_not_dollar_quotes()
    {
        Assert.Equal(
            [(SqlTokenKind.Word, "select"), (SqlTokenKind.Parameter, "$1"), (SqlTokenKind.Punctuation, ","),
             (SqlTokenKind.Parameter, "$2"), (SqlTokenKind.Semicolon, ";")],
            Lex("select $1, $2;"));
        Assert.Equal([(SqlTokenKind.Parameter, "$1"), (SqlTokenKind.Other, "$")], Lex("$1$"));
        Assert.Equal([(SqlTokenKind.Other, "$"), (SqlTokenKind.Word, "x")], Lex("$ x"));
    }

    [Theory]
    [InlineData("\"quoted;ident\"")]
    [InlineData("\"a\"\"b\"")]
    [InlineData("U&\"d\\0061t\"")]
    public void Quoted_identifiers(string text) => Assert.Equal((SqlTokenKind.QuotedIdentifier, text), Single(text));

    [Theory]
    [InlineData("/* a ; b */")]
    [InlineData("/* a /* b */ c */")]
    [InlineData("/**/")]
    [InlineData("/* ' \" $$ */")]
    public void Block_comments(string text) => Assert.Equal((SqlTokenKind.BlockComment, text), Single(text));

    [Fact]
    public void Nested_block_comment_ends_at_its_own_close()
    {
        Assert.Equal([(SqlTokenKind.BlockComment, "/* /* */ */"), (SqlTokenKind.Word, "x")], Lex("/* /* */ */x"));
    }

    [Fact]
    public void Line_comment_runs_to_the_end_of_the_line()
    {
        Assert.Equal([(SqlTokenKind.LineComment, "-- a; b"), (SqlTokenKind.Word, "x")], Lex("-- a; b\r\nx"));
        Assert.Equal((SqlTokenKind.LineComment, "-- with ; and no newline"), Single("-- with ; and no newline"));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1.5")]
    [InlineData(".5")]
    [InlineData("1e10")]
    [InlineData("1.5E-3")]
    [InlineData("0x1F")]
    [InlineData("1_000")]
    public void Numbers(string text) => Assert.Equal((SqlTokenKind.Number, text), Single(text));

    [Fact]
    public void Operators_and_punctuation()
    {
        Assert.Equal(
            [(SqlTokenKind.Word, "a"), (SqlTokenKind.Operator, "->>"), (SqlTokenKind.String, "'k'"),
             (SqlTokenKind.Operator, "<>"), (SqlTokenKind.Word, "b"), (SqlTokenKind.Punctuation, "::"), (SqlTokenKind.Word, "int")],
            Lex("a->>'k' <> b::int"));
        Assert.Equal([(SqlTokenKind.Operator, "+"), (SqlTokenKind.LineComment, "--c")], Lex("+--c"));
        Assert.Equal([(SqlTokenKind.Operator, "*"), (SqlTokenKind.BlockComment, "/*x*/")], Lex("*/*x*/"));
        Assert.Equal([(SqlTokenKind.Word, "u"), (SqlTokenKind.Operator, "&"), (SqlTokenKind.Word, "x")], Lex("u&x"));
        // As in PostgreSQL: "1." would swallow the first dot of a range, so the integer stops before "..".
        Assert.Equal([(SqlTokenKind.Number, "1"), (SqlTokenKind.Punctuation, "."), (SqlTokenKind.Number, ".10")], Lex("1..10"));
        Assert.Equal([(SqlTokenKind.Other, "{")], Lex("{"));
    }

    [Fact]
    public void Meta_command_runs_to_the_end_of_the_line()
    {
        Assert.Equal(
            [(SqlTokenKind.PsqlMetaCommand, "\\i other.sql"), (SqlTokenKind.Word, "select")],
            Lex("\\i other.sql\r\nselect"));
    }

    [Fact]
    public void Backslashes_inside_quotes_are_not_meta_commands()
    {
        Assert.DoesNotContain(Lex("'\\i' E'\\\\i' $$\\i$$ \"\\i\" -- \\i\n/* \\i */"), t => t.Kind == SqlTokenKind.PsqlMetaCommand);
    }

    [Fact]
    public void Byte_order_mark_is_whitespace()
    {
        var result = SqlLexer.Tokenize("\uFEFFselect");
        Assert.Equal([SqlTokenKind.Whitespace, SqlTokenKind.Word], result.Tokens.Select(t => t.Kind));
    }

    [Theory]
    [InlineData("select 'abc;\nselect 2;", 7, 1, 8, SqlTokenKind.String)]
    [InlineData("select 1;\nselect E'abc\\';", 17, 2, 8, SqlTokenKind.EscapeString)]
    [InlineData("select \"abc", 7, 1, 8, SqlTokenKind.QuotedIdentifier)]
    [InlineData("x\n  /* a /* b */ c", 4, 2, 3, SqlTokenKind.BlockComment)]
    [InlineData("do $body$ begin end $$;", 3, 1, 4, SqlTokenKind.DollarString)]
    [InlineData("select B'10", 7, 1, 8, SqlTokenKind.String)]
    [InlineData("E'", 0, 1, 1, SqlTokenKind.EscapeString)]
    [InlineData("/*/", 0, 1, 1, SqlTokenKind.BlockComment)]
    public void Unterminated_constructs_run_to_the_end_and_are_reported_at_their_start(
        string text, int offset, int line, int column, SqlTokenKind kind)
    {
        var result = SqlLexer.Tokenize(text);
        AssertCoversText(result);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(SqlProblemCodes.Unterminated, problem.Code);
        Assert.Equal(offset, problem.Offset);
        Assert.Equal(new TextPosition(line, column), problem.Position);
        var last = result.Tokens[^1];
        Assert.Equal(kind, last.Kind);
        Assert.Equal(offset, last.Start);
        Assert.Equal(text.Length, last.End);
    }

    [Fact]
    public void Unterminated_dollar_quote_names_its_delimiter()
    {
        var problem = Assert.Single(SqlLexer.Tokenize("do $body$ begin end $$;").Problems);
        Assert.Contains("'$body$'", problem.Message);
    }

    [Fact]
    public void Random_text_never_throws_and_tokens_cover_it()
    {
        var random = new Random(20240611);
        for (var i = 0; i < 3000; i++)
        {
            var text = RandomSqlText.Next(random, 80);
            var result = SqlLexer.Tokenize(text);
            AssertCoversText(result);
            foreach (var problem in result.Problems)
                Assert.Equal(TextPosition.FromOffset(text, problem.Offset), problem.Position);
        }
    }
}
