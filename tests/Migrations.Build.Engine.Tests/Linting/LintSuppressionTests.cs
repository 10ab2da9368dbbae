using Migrations.Build.Engine.Linting;

namespace Migrations.Build.Engine.Tests.Linting;

public sealed class LintSuppressionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private IReadOnlyList<MigrationDiagnostic> Lint(string sql, LintOptions? options = null)
    {
        _dir.Write("001_m.sql", sql);
        return MigrationLinter.Lint(MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path)), options ?? LintOptions.Default);
    }

    private static (string Code, int Line, int Column)[] Found(IReadOnlyList<MigrationDiagnostic> diagnostics) =>
        diagnostics.Select(d => (d.Code, d.Line, d.Column)).ToArray();

    [Fact]
    public void Ignore_silences_the_next_statement_only()
    {
        var diagnostics = Lint("-- migrate:ignore MIG112\nDROP TABLE a;\nDROP TABLE b;\n");
        Assert.Equal([(LintCodes.DestructiveStatement, 3, 1)], Found(diagnostics));
    }

    [Fact]
    public void Ignore_takes_several_codes_separated_by_spaces_or_commas_and_a_reason()
    {
        var diagnostics = Lint("-- Migrate:Ignore mig112,MIG113  MIG115 -- the table is tiny\nDROP TABLE a CASCADE;\n" +
                               "-- migrate:ignore MIG115\nCREATE INDEX ix ON b (id);");
        Assert.Equal([(LintCodes.UnusedSuppression, 1, 1)], Found(diagnostics));
        Assert.Contains("suppression of MIG115 silences nothing", diagnostics[0].Message);
    }

    [Fact]
    public void Ignore_inside_a_multi_line_statement_applies_to_that_statement()
    {
        Assert.Empty(Lint("ALTER TABLE users\n    -- migrate:ignore MIG114\n    ADD COLUMN tier text NOT NULL;"));
    }

    [Fact]
    public void Ignore_file_silences_the_whole_file()
    {
        var diagnostics = Lint("DROP TABLE a CASCADE;\n-- migrate:ignore-file MIG113\nDROP TABLE b CASCADE;\n");
        Assert.Equal([(LintCodes.DestructiveStatement, 1, 1), (LintCodes.DestructiveStatement, 3, 1)], Found(diagnostics));
    }

    [Fact]
    public void Errors_can_be_silenced_too_but_sql_problems_cannot()
    {
        Assert.Empty(Lint("-- migrate:ignore-file MIG111\nCOMMIT;"));
        var diagnostics = Lint("-- migrate:ignore MIG101\nSELECT 'open");
        Assert.Equal([(LintCodes.UnusedSuppression, 1, 1), (DiagnosticCodes.UnterminatedSql, 2, 8)],
            Found(diagnostics).OrderBy(f => f.Line).ToArray());
        Assert.Contains("'MIG101' cannot be silenced", diagnostics.Single(d => d.Code == LintCodes.UnusedSuppression).Message);
    }

    [Fact]
    public void A_suppression_that_silences_nothing_is_a_warning_at_the_comment()
    {
        var diagnostics = Lint("CREATE TABLE t (id int);\n  -- migrate:ignore MIG112\nCREATE TABLE u (id int);");
        var found = Assert.Single(diagnostics);
        Assert.Equal((LintCodes.UnusedSuppression, DiagnosticSeverity.Warning, 2, 3), (found.Code, found.Severity, found.Line, found.Column));
    }

    [Theory]
    [InlineData("-- migrate:ignore\nSELECT 1;", "names no code")]
    [InlineData("-- migrate:ignore MIG999\nSELECT 1;", "cannot be silenced")]
    [InlineData("-- migrate:ignore please\nSELECT 1;", "is not a diagnostic code")]
    [InlineData("-- migrate:ignored MIG112\nSELECT 1;", "is not a suppression")]
    [InlineData("-- migrate:ignore-files MIG112\nSELECT 1;", "is not a suppression")]
    [InlineData("SELECT 1;\n-- migrate:ignore MIG112\n", "followed by no statement")]
    [InlineData("-- migrate:ignore MIG116\nSELECT 1;", "migrate:ignore-file MIG116")]
    [InlineData("-- migrate:ignore-file MIG116\nSELECT 1;", "silences nothing")]
    public void Malformed_or_pointless_suppressions_are_warnings(string sql, string message)
    {
        var found = Assert.Single(Lint(sql));
        Assert.Equal(LintCodes.UnusedSuppression, found.Code);
        Assert.Contains(message, found.Message);
    }

    [Fact]
    public void Only_line_comments_suppress()
    {
        var diagnostics = Lint("/* migrate:ignore MIG112 */\nDROP TABLE a;\nSELECT '-- migrate:ignore MIG112';\n");
        Assert.Equal([(LintCodes.DestructiveStatement, 2, 1)], Found(diagnostics));
    }

    [Fact]
    public void A_suppression_of_a_rule_that_is_off_is_not_reported()
    {
        const string sql = "-- migrate:ignore MIG117\nCREATE TABLE t (id int);";
        Assert.Empty(Lint(sql));
        Assert.Empty(Lint(sql, new LintOptions { RequireIfExists = true }));
        Assert.Single(Lint("-- migrate:ignore MIG117\nCREATE TABLE IF NOT EXISTS t (id int);", new LintOptions { RequireIfExists = true }));
    }
}
