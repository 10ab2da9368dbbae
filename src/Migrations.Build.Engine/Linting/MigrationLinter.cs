namespace Migrations.Build.Engine.Linting;

/// <summary>
/// Lints the SQL of migrations: the statement splitter's problems (MIG101 to MIG104) and the rules MIG110 to
/// MIG119, with the scripts' <c>-- migrate:ignore</c> suppressions applied. Pure: it reads the scripts'
/// text that <see cref="MigrationSetLoader"/> already loaded and touches no database.
/// </summary>
public static class MigrationLinter
{
    /// <summary>Every script of every migration, in version order; up before down.</summary>
    public static IReadOnlyList<MigrationDiagnostic> Lint(MigrationSet set, LintOptions options)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(options);
        var output = new List<MigrationDiagnostic>();
        foreach (var migration in set.Migrations) LintInto(migration, options, output);
        return output;
    }

    /// <summary>One migration's scripts, including whether its down script reverses its up (MIG116).</summary>
    public static IReadOnlyList<MigrationDiagnostic> Lint(Migration migration, LintOptions options)
    {
        ArgumentNullException.ThrowIfNull(migration);
        ArgumentNullException.ThrowIfNull(options);
        var output = new List<MigrationDiagnostic>();
        LintInto(migration, options, output);
        return output;
    }

    /// <summary>One script on its own, for the runner before it applies it: every rule but MIG116, which needs the pair.</summary>
    public static IReadOnlyList<MigrationDiagnostic> LintScript(MigrationScript script, LintOptions options)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(options);
        var output = new List<MigrationDiagnostic>();
        if (script.Text is null) return output;
        var linter = new ScriptLinter(script, options);
        linter.CheckStatements();
        linter.Finish(output, pairChecked: false);
        return output;
    }

    /// <summary>
    /// The statements of <paramref name="script"/> that destroy data (DROP TABLE, DROP SCHEMA, DROP TYPE, DROP COLUMN,
    /// TRUNCATE, DELETE or UPDATE without WHERE), whatever kind of script it is and whatever its suppressions,
    /// for a gate before applying or rolling back. Dropping a table the script itself created earlier is not listed.
    /// </summary>
    public static IReadOnlyList<DestructiveStatement> DestructiveStatements(MigrationScript script)
    {
        ArgumentNullException.ThrowIfNull(script);
        if (script.Text is null) return [];
        var found = new List<DestructiveStatement>();
        var created = new CreatedTables();
        foreach (var statement in Sql.SqlStatementSplitter.Split(script.Text).Statements)
        {
            var info = StatementClassifier.Classify(statement);
            if (info.DestructiveDescription is { } description && !created.DropsOnlyNew(info))
                found.Add(new DestructiveStatement(script.Path, statement.StartLine, statement.StartColumn, description, statement));
            created.Observe(info);
        }

        return found;
    }

    /// <summary>Same for both scripts of a migration, up first.</summary>
    public static IReadOnlyList<DestructiveStatement> DestructiveStatements(Migration migration)
    {
        ArgumentNullException.ThrowIfNull(migration);
        var found = new List<DestructiveStatement>();
        if (migration.Up is not null) found.AddRange(DestructiveStatements(migration.Up));
        if (migration.Down is not null) found.AddRange(DestructiveStatements(migration.Down));
        return found;
    }

    private static void LintInto(Migration migration, LintOptions options, List<MigrationDiagnostic> output)
    {
        var up = migration.Up?.Text is null ? null : new ScriptLinter(migration.Up, options);
        var down = migration.Down?.Text is null ? null : new ScriptLinter(migration.Down, options);
        up?.CheckStatements();
        down?.CheckStatements();
        // An empty down script is MIG009's business.
        if (up is not null && down is not null && !down.Script.IsBlank) DownScriptReversal.Check(up, down);
        up?.Finish(output, pairChecked: true);
        down?.Finish(output, pairChecked: up is not null);
    }
}
