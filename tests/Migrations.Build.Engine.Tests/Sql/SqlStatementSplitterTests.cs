using System.Text;
using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Tests.Sql;

public sealed class SqlStatementSplitterTests
{
    /// <summary>Splits and checks the invariants every split must keep, whatever the input.</summary>
    private static SqlSplitResult Split(string text)
    {
        var result = SqlStatementSplitter.Split(text);
        AssertInvariants(text, result);
        return result;
    }

    private static string[] Texts(string text) => Split(text).Statements.Select(s => s.Text).ToArray();

    private static void AssertInvariants(string text, SqlSplitResult result)
    {
        Assert.Equal(text, string.Concat(result.Segments()));

        var previousEnd = 0;
        for (var i = 0; i < result.Statements.Count; i++)
        {
            var statement = result.Statements[i];
            Assert.Equal(i, statement.Index);
            Assert.Equal(previousEnd, statement.SegmentStart);
            Assert.True(statement.SegmentStart <= statement.Start && statement.Start < statement.End);
            Assert.Equal(TextPosition.FromOffset(text, statement.Start), statement.StartPosition);
            Assert.NotEmpty(statement.Tokens);
            Assert.Equal(statement.Start, statement.Tokens[0].Start);
            Assert.All(statement.Tokens, t => Assert.False(t.IsTrivia));
            Assert.All(statement.Tokens, t => Assert.True(t.Start >= statement.Start && t.End <= statement.End));
            if (statement.IsTerminated) Assert.EndsWith(";", statement.Text);
            previousEnd = statement.End;
        }

        Assert.Equal(previousEnd, result.TrailingStart);
        Assert.True(result.Problems.Zip(result.Problems.Skip(1)).All(p => p.First.Offset <= p.Second.Offset));
        foreach (var problem in result.Problems)
            Assert.Equal(TextPosition.FromOffset(text, problem.Offset), problem.Position);
    }

    [Fact]
    public void Splits_on_semicolons_and_keeps_them()
    {
        var result = Split("create table a (id int);\nselect 1;");
        Assert.Equal(["create table a (id int);", "select 1;"], result.Statements.Select(s => s.Text));
        Assert.Equal(new TextPosition(2, 1), result.Statements[1].StartPosition);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Last_statement_needs_no_semicolon()
    {
        var result = Split("select 1;\nselect 2 -- done\n");
        Assert.Equal(["select 1;", "select 2"], result.Statements.Select(s => s.Text));
        Assert.True(result.Statements[0].IsTerminated);
        Assert.False(result.Statements[1].IsTerminated);
        Assert.Equal(" -- done\n", result.TrailingText);
    }

    [Fact]
    public void Leading_comments_belong_to_the_segment_not_the_statement()
    {
        var text = "-- first\n/* second */\n\n  insert into t values (1);";
        var statement = Assert.Single(Split(text).Statements);
        Assert.Equal("insert into t values (1);", statement.Text);
        Assert.Equal(text, statement.SegmentText);
        Assert.Equal(0, statement.SegmentStart);
        Assert.Equal(new TextPosition(4, 3), statement.StartPosition);
        Assert.Equal(4, statement.StartLine);
        Assert.Equal(3, statement.StartColumn);
    }

    [Fact]
    public void Tokens_are_the_significant_ones_without_the_semicolon()
    {
        var statement = Assert.Single(Split("CREATE /* c */ index\n  Concurrently -- x\n ix on t (a) ;").Statements);
        Assert.Equal("CREATE INDEX CONCURRENTLY", statement.FirstWords(3));
        Assert.Equal("CREATE INDEX CONCURRENTLY IX ON T", statement.FirstWords(10));
        Assert.True(statement.StartsWithWords("create", "INDEX"));
        Assert.False(statement.StartsWithWords("create", "table"));
        Assert.Equal(["CREATE", "index", "Concurrently", "ix", "on", "t", "(", "a", ")"], statement.Tokens.Select(statement.TextOf));
        Assert.EndsWith("(a) ;", statement.Text);
    }

    [Fact]
    public void Semicolons_inside_quotes_and_comments_do_not_split()
    {
        Assert.Equal(
            [
                "select 'a;b', 'it''s;';",
                "select E'\\';', E'\\\\';",
                "select $$;$$, $tag$ $$ ; $tag$;",
                "select \"quoted;ident\", \"a\"\";b\" /* ; /* ; */ ; */;",
                "select 1 -- ;\n;",
            ],
            Texts("select 'a;b', 'it''s;';\nselect E'\\';', E'\\\\';\nselect $$;$$, $tag$ $$ ; $tag$;\n" +
                  "select \"quoted;ident\", \"a\"\";b\" /* ; /* ; */ ; */;\nselect 1 -- ;\n;"));
    }

    [Fact]
    public void Semicolons_inside_parentheses_do_not_split_as_in_psql()
    {
        Assert.Equal(["select (1; 2);", "select 3;"], Texts("select (1; 2); select 3;"));
    }

    [Fact]
    public void Line_comment_at_the_end_without_newline()
    {
        var result = Split("select 1; -- trailing ; comment");
        Assert.Equal(["select 1;"], result.Statements.Select(s => s.Text));
        Assert.Equal(" -- trailing ; comment", result.TrailingText);
    }

    [Fact]
    public void Crlf_files_count_lines_like_lf_files()
    {
        var result = Split("select 1;\r\n\r\n  select 2;\r\n");
        Assert.Equal(["select 1;", "select 2;"], result.Statements.Select(s => s.Text));
        Assert.Equal(new TextPosition(3, 3), result.Statements[1].StartPosition);
        Assert.Equal("\r\n", result.TrailingText);
    }

    [Fact]
    public void Byte_order_mark_is_not_part_of_the_statement()
    {
        var statement = Assert.Single(Split("\uFEFFselect 1;").Statements);
        Assert.Equal("select 1;", statement.Text);
        Assert.Equal(new TextPosition(1, 2), statement.StartPosition);
    }

    [Fact]
    public void Do_blocks_and_dollar_quoted_function_bodies()
    {
        var text = """
            DO $$
            BEGIN
              RAISE NOTICE 'hi; there';
            END
            $$;
            CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE plpgsql AS $body$
            DECLARE y int := $1;
            BEGIN
              IF x > 0 THEN RETURN 1; END IF;
              RETURN $$nested;$$::text::int;
            END;
            $body$;
            SELECT f(1);
            """;
        var statements = Split(text).Statements;
        Assert.Equal(3, statements.Count);
        Assert.Equal("DO", statements[0].FirstWords(1));
        Assert.Equal("CREATE OR REPLACE FUNCTION", statements[1].FirstWords(4));
        Assert.Equal(6, statements[1].StartLine);
        Assert.Equal("SELECT f(1);", statements[2].Text);
    }

    [Fact]
    public void Begin_atomic_bodies_keep_their_semicolons()
    {
        var text = """
            CREATE FUNCTION add(a integer, b integer) RETURNS integer
                LANGUAGE SQL
                IMMUTABLE
                BEGIN ATOMIC
                    SELECT a + b;
                    SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;
                END;
            create or replace procedure p() language sql begin atomic insert into t values (1); end;
            CREATE PROCEDURE q() BEGIN ATOMIC SELECT case when true then (select 1) end; END;
            SELECT 1;
            """;
        var statements = Split(text).Statements;
        Assert.Equal(4, statements.Count);
        Assert.EndsWith("ELSE 2 END;\n    END;", statements[0].Text);
        Assert.StartsWith("create or replace procedure", statements[1].Text);
        Assert.EndsWith("end; END;", statements[2].Text);
        Assert.Equal("SELECT 1;", statements[3].Text);
    }

    [Fact]
    public void Begin_outside_a_routine_definition_is_a_transaction()
    {
        Assert.Equal(["BEGIN;", "SELECT 1;", "END;"], Texts("BEGIN;\nSELECT 1;\nEND;"));
        Assert.Equal(["CREATE TABLE begin (a int);", "SELECT 1;"], Texts("CREATE TABLE begin (a int);\nSELECT 1;"));
    }

    [Fact]
    public void Begin_inside_parentheses_of_a_routine_is_not_a_block()
    {
        Assert.Equal(["create function f(begin int) returns int language sql return 1;", "select 2;"],
            Texts("create function f(begin int) returns int language sql return 1;\nselect 2;"));
    }

    [Fact]
    public void Positional_parameters()
    {
        Assert.Equal(["prepare p as select $1, $2;", "execute p(1, 2);"], Texts("prepare p as select $1, $2;\nexecute p(1, 2);"));
    }

    [Fact]
    public void Empty_statements_are_skipped_but_their_text_is_kept()
    {
        var result = Split(";; select 1;;\n;");
        var statement = Assert.Single(result.Statements);
        Assert.Equal("select 1;", statement.Text);
        Assert.Equal(";; select 1;", statement.SegmentText);
        Assert.Equal(";\n;", result.TrailingText);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t")]
    [InlineData("-- only a comment")]
    [InlineData("/* header */\n-- and a line\n")]
    [InlineData(";")]
    public void Text_without_statements(string text)
    {
        var result = Split(text);
        Assert.Empty(result.Statements);
        Assert.Empty(result.Problems);
        Assert.Equal(text, result.TrailingText);
    }

    [Theory]
    [InlineData("select 1;\n  select 'abc;\nselect 2;", 2, 10)]
    [InlineData("select 1;\nselect \"abc;", 2, 8)]
    [InlineData("select 1;\r\n/* not closed /* nested */ ;\r\nselect 2;", 2, 1)]
    [InlineData("select 1;\n\ndo $fn$ begin end; $$;", 3, 4)]
    [InlineData("select E'it\\'s;\nselect 2;", 1, 8)]
    public void Unterminated_constructs_are_reported_at_their_start(string text, int line, int column)
    {
        var result = Split(text);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(SqlProblemCodes.Unterminated, problem.Code);
        Assert.Equal(new TextPosition(line, column), problem.Position);
        Assert.StartsWith("unterminated", problem.Message);
    }

    [Theory]
    [InlineData("BEGIN; CREATE TABLE x (id int; COMMIT;", 1, 23)]
    [InlineData("SELECT 1;\nINSERT INTO t (a) VALUES ((1), (2);\nSELECT 2;", 2, 26)]
    [InlineData("CREATE TABLE t (\n  price numeric(10, 2),\n  name text\n;", 1, 16)]
    public void An_unclosed_parenthesis_is_reported_at_the_outermost_open_one(string text, int line, int column)
    {
        var result = Split(text);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(SqlProblemCodes.UnclosedParenthesis, problem.Code);
        Assert.Equal(new TextPosition(line, column), problem.Position);
        Assert.StartsWith("'(' is never closed", problem.Message);
        Assert.True(result.SwallowsRest);
        Assert.False(result.Statements[^1].IsTerminated);
    }

    [Theory]
    [InlineData("SELECT (1);\nSELECT 2")]
    [InlineData("SELECT 1)); SELECT 2;")]
    [InlineData("SELECT 1;\nSELECT ('abc;\nSELECT 2;")] // the unterminated string explains it (MIG101)
    public void Closed_parentheses_or_an_unterminated_string_are_no_unclosed_parenthesis(string text)
    {
        Assert.DoesNotContain(Split(text).Problems, p => p.Code == SqlProblemCodes.UnclosedParenthesis);
    }

    [Fact]
    public void Unterminated_string_swallows_the_rest_of_the_file()
    {
        var result = Split("select 1;\nselect 'abc;\nselect 2;");
        Assert.Equal(2, result.Statements.Count);
        Assert.Equal("select 'abc;\nselect 2;", result.Statements[1].Text);
        Assert.False(result.Statements[1].IsTerminated);
    }

    [Fact]
    public void COPY_through_the_client_is_reported_at_its_STDIN_or_STDOUT()
    {
        var result = Split("CREATE TABLE t (a int);\ncopy t (a) from stdin;\nCOPY (SELECT 1) TO STDOUT WITH (FORMAT csv);\n" +
            "COPY t FROM '/srv/t.csv';\nCOPY t TO PROGRAM 'cat';\nCOPY t (\"stdin\") FROM '/srv/x';\nSELECT 'stdin';\n");
        Assert.Equal(7, result.Statements.Count);
        Assert.All(result.Problems, p => Assert.Equal(SqlProblemCodes.CopyWithClientData, p.Code));
        Assert.Equal([new TextPosition(2, 17), new TextPosition(3, 20)], result.Problems.Select(p => p.Position));
        Assert.Contains("COPY … FROM STDIN streams data through the client", result.Problems[0].Message);
        Assert.Contains("COPY … TO STDOUT", result.Problems[1].Message);
    }

    [Fact]
    public void Psql_meta_commands_are_reported()
    {
        var result = Split("\\set ON_ERROR_STOP on\nselect 1;\n  \\i other.sql\nselect 2; \\gexec\n");
        Assert.Equal(["select 1;", "select 2;"], result.Statements.Select(s => s.Text));
        Assert.Equal(new TextPosition(2, 1), result.Statements[0].StartPosition);
        Assert.Equal(3, result.Problems.Count);
        Assert.All(result.Problems, p => Assert.Equal(SqlProblemCodes.PsqlMetaCommand, p.Code));
        Assert.Equal([new TextPosition(1, 1), new TextPosition(3, 3), new TextPosition(4, 11)], result.Problems.Select(p => p.Position));
        Assert.Contains("psql meta-commands like \\i are not SQL: a migration runs through a database driver, not psql", result.Problems[1].Message);
        Assert.Contains("'\\i'", result.Problems[1].Message);
        Assert.Contains("'\\set'", result.Problems[0].Message);
    }

    [Fact]
    public void Backslashes_in_strings_comments_and_dollar_quotes_are_not_meta_commands()
    {
        var result = Split("select '\\i x';\nselect E'\\\\i', E'\\'';\n-- \\i x\n/* \\i x */\ndo $$ \\i x $$;\nselect \"\\i\";");
        Assert.Equal(4, result.Statements.Count);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Position_of_a_server_error_maps_to_the_file()
    {
        var result = Split("-- header\nSELECT 1;\n  SELECT 'x' || bogus;");
        var statement = result.Statements[1];
        Assert.Equal(new TextPosition(3, 3), SqlStatementSplitter.PositionOf(statement, 1));
        Assert.Equal(new TextPosition(3, 17), SqlStatementSplitter.PositionOf(statement, 15));
    }

    [Fact]
    public void Position_counts_a_surrogate_pair_as_one_character()
    {
        // PostgreSQL counts code points: in "SELECT '😀' || bogus;" bogus is character 15, UTF-16 index 15.
        var result = Split("-- header\nSELECT 1;\n  SELECT '😀' || bogus;");
        var statement = result.Statements[1];
        Assert.Equal("bogus", statement.Source.Substring(SqlStatementSplitter.OffsetOf(statement, 15), 5));
        Assert.Equal(new TextPosition(3, 18), SqlStatementSplitter.PositionOf(statement, 15));
    }

    [Fact]
    public void Position_out_of_range_is_clamped_to_the_statement()
    {
        var statement = Split("select 1;\nselect 2;").Statements[0];
        Assert.Equal(new TextPosition(1, 1), SqlStatementSplitter.PositionOf(statement, 0));
        Assert.Equal(new TextPosition(1, 10), SqlStatementSplitter.PositionOf(statement, 1000));
    }

    [Fact]
    public void Position_within_a_whole_file_query()
    {
        // The emoji is character 1, so "bogus" is character 11 of the file.
        var text = "\uD83D\uDE00;\nselect bogus;";
        Assert.Equal(new TextPosition(2, 8), SqlStatementSplitter.PositionOf(text, 0, 11));
    }

    [Fact]
    public void Random_statements_split_as_generated()
    {
        var random = new Random(42);
        for (var iteration = 0; iteration < 2000; iteration++)
        {
            var (text, expected) = StatementGenerator.Script(random);
            var result = Split(text);
            Assert.Empty(result.Problems);
            Assert.Equal(expected.Count, result.Statements.Count);
            for (var i = 0; i < expected.Count; i++) Assert.Equal(expected[i], result.Statements[i].Text);
        }
    }

    [Fact]
    public void Random_text_never_throws_and_segments_rejoin()
    {
        var random = new Random(7);
        for (var iteration = 0; iteration < 4000; iteration++)
        {
            var text = RandomSqlText.Next(random, 60);
            var result = Split(text);

            foreach (var statement in result.Statements)
            {
                // Re-splitting a statement alone gives it back: what the runner sends is one statement.
                var alone = Assert.Single(SqlStatementSplitter.Split(statement.Text).Statements);
                Assert.Equal(statement.Text, alone.Text);

                var position = SqlStatementSplitter.PositionOf(statement, random.Next(-2, statement.Text.Length + 3));
                Assert.True(position.Line >= statement.StartLine);
            }
        }
    }

    [Fact]
    public void Statement_tokens_are_the_lexers_significant_tokens()
    {
        // Dense punctuation has more tokens than the working lists start with, so they must grow.
        var texts = new List<string> { new string('(', 300) + ";", string.Join(" ", Enumerable.Repeat("a,b;", 500)) };
        var random = new Random(11);
        for (var i = 0; i < 2000; i++) texts.Add(RandomSqlText.Next(random, 60));

        foreach (var text in texts)
        {
            var inStatements = Split(text).Statements.SelectMany(s => s.Tokens).ToList();
            var significant = SqlLexer.Tokenize(text).Tokens.Where(t => !t.IsTrivia);
            // All of them but the semicolons that end a statement or stand alone.
            Assert.Equal(significant.Where(t => t.Kind != SqlTokenKind.Semicolon || inStatements.Contains(t)), inStatements);
        }
    }

    [Fact]
    public void Large_file_with_many_statements()
    {
        var builder = new StringBuilder();
        for (var i = 0; i < 20_000; i++) builder.Append("-- migration step ").Append(i).Append("\ninsert into t values (").Append(i).Append(", 'a;b');\n");
        var result = Split(builder.ToString());
        Assert.Equal(20_000, result.Statements.Count);
        Assert.Equal(new TextPosition(40_000, 1), result.Statements[^1].StartPosition);
    }
}
