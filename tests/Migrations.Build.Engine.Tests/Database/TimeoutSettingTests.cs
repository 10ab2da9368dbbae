using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.Linting;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>Durations, timeout directives and history table names as the project writes them.</summary>
public sealed class TimeoutSettingTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("5s", true, 5000)]
    [InlineData("5", true, 5000)]
    [InlineData("500ms", false, 500)]
    [InlineData("10min", false, 600_000)]
    [InlineData("2 h", false, 7_200_000)]
    [InlineData("1d", false, 86_400_000)]
    [InlineData("0", true, 0)]
    [InlineData("0s", false, 0)]
    [InlineData("2147483647ms", false, int.MaxValue)]
    public void Durations_take_PostgreSQL_units(string text, bool bareIsSeconds, long milliseconds)
    {
        Assert.True(PgDuration.TryParse(text, bareIsSeconds, out var value, out var error), error);
        Assert.Equal(milliseconds, (long)value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("5", "needs a unit")]
    [InlineData("5 sec", "is not a unit")]
    [InlineData("-1s", "must be a whole number")]
    [InlineData("1.5s", "must be a whole number")]
    [InlineData("25d", "is out of range")]
    [InlineData("99999999999999999999999s", "is out of range")]
    [InlineData("2147483648ms", "is out of range")]
    public void A_directive_duration_needs_a_unit_and_PostgreSQL_s_range(string text, string why)
    {
        Assert.False(PgDuration.TryParse(text, bareIsSeconds: false, out _, out var error));
        Assert.Contains(why, error);
    }

    [Theory]
    [InlineData("public", "public")]
    [InlineData("public\n", "public")]
    [InlineData("\n    public\n  ", "public")]
    [InlineData("Public", "public")]
    [InlineData("\"Public\"", "Public")]
    [InlineData(" \"Audit_Log\" ", "Audit_Log")]
    public void History_names_are_trimmed_and_folded_unless_quoted(string written, string expected)
    {
        Assert.True(SqlIdentifier.TryNormalize(written, out var name));
        Assert.Equal(expected, name);
    }

    [Theory]
    [InlineData("public\nx")]
    [InlineData("pub lic")]
    [InlineData("\"Pub\"lic\"")]
    [InlineData("\"\"")]
    [InlineData("")]
    public void Names_that_are_not_plain_identifiers_are_refused(string written)
    {
        Assert.False(SqlIdentifier.TryNormalize(written, out _));
        Assert.False(SqlIdentifier.IsValid("public\n"));
    }

    [Fact]
    public void Timeout_directives_are_read_from_their_own_comment_lines()
    {
        _dir.Write("001_m.sql", "-- migrate:lock-timeout 30s\n-- migrate:statement-timeout 10min\nALTER TABLE t ADD COLUMN c int;\n");
        var plan = MigrationScriptPlan.For(Load().Migrations[0].Up!);
        Assert.Empty(plan.Problems);
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10)), (plan.LockTimeout, plan.StatementTimeout));
    }

    [Theory]
    [InlineData("-- migrate:lock-timeout 30\n", "needs a unit")]
    [InlineData("-- migrate:lock-timeout\n", "needs a value")]
    [InlineData("-- migrate:statement-timeout soon\n", "must be a whole number")]
    [InlineData("-- migrate:lock-timeout 1s\n-- migrate:lock-timeout 2s\n", "given twice")]
    public void A_malformed_directive_is_MIG120_at_build_time_at_its_line(string directives, string why)
    {
        _dir.Write("001_m.sql", "SELECT 1;\n" + directives + "ALTER TABLE t ADD COLUMN c int;\n");
        var set = Load();
        var found = Assert.Single(MigrationLinter.Lint(set, LintOptions.Default), d => d.Code == DiagnosticCodes.InvalidDirective);
        Assert.Equal((DiagnosticSeverity.Error, "001_m.sql", directives.Count(c => c == '\n') + 1, 1),
            (found.Severity, Path.GetFileName(found.FilePath), found.Line, found.Column));
        Assert.Contains(why, found.Message);
        // The runner refuses the file too, should it get past the build.
        Assert.Contains(MigrationScriptPlan.For(set.Migrations[0].Up!).Problems, p => p.Code == DiagnosticCodes.InvalidDirective);
    }

    [Fact]
    public void MigrateScript_sets_a_file_s_timeouts_around_its_statements_and_not_around_the_history_row()
    {
        _dir.Write("001_m.sql", "-- migrate:lock-timeout 30s\nALTER TABLE t ADD COLUMN c int;\n");
        _dir.Write("002_n.sql", "CREATE TABLE n (id int);\n");
        var script = MigrationSqlScript.Write(new HistoryTable("public", "schema_migrations"), Load().Migrations, "test", DateTime.UnixEpoch);
        var first = script[script.IndexOf("BEGIN;", StringComparison.Ordinal)..script.IndexOf("COMMIT;", StringComparison.Ordinal)];
        Assert.Matches(@"\ABEGIN;\nSET LOCAL lock_timeout = '30000ms';\n(?s:.*)ALTER TABLE t ADD COLUMN c int;\nSET LOCAL lock_timeout TO DEFAULT;\nINSERT INTO ", first);
        Assert.Equal(2, script.Split("lock_timeout").Length - 1);
    }

    private MigrationSet Load() => MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path) { RequireDown = false });
}
