using System.Globalization;
using System.Text;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// The SQL MigrateUp would run, as one file for review and for psql: the history table, then each
/// migration behind a guard (psql's \if on "not yet in the history"), so running the script twice applies
/// nothing the second time. Transactional migrations keep their BEGIN/COMMIT with the history row inside;
/// non-transactional ones run outside a transaction with their row dirty until they finish, as MigrateUp does.
/// </summary>
public static class MigrationSqlScript
{
    private const string PendingVariable = "migrations_build_pending";

    public static string Write(HistoryTable history, IReadOnlyList<Migration> migrations, string source, DateTime generatedUtc)
    {
        var sql = new StringBuilder();
        sql.Append("-- Migrations.Build: ").Append(migrations.Count).Append(" migration(s) ").Append(source).Append('\n');
        sql.Append("-- Generated ").Append(generatedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" UTC.\n");
        sql.Append("-- Run with psql (10 or later): psql -v ON_ERROR_STOP=1 -f <this file>. Safe to run again: applied migrations are skipped.\n");
        sql.Append("\\set ON_ERROR_STOP on\n\n");
        sql.Append("-- The history table, created if missing.\n");
        sql.Append("SELECT NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ").Append(SqlLiteral.Quote(history.Schema)).Append(") AS ").Append(PendingVariable).Append(" \\gset\n");
        sql.Append("\\if :").Append(PendingVariable).Append('\n').Append(history.CreateSchemaSql).Append(";\n\\endif\n");
        sql.Append(history.CreateSql).Append(";\n");
        sql.Append("-- Like MigrateUp: nothing runs past a migration that failed part-way.\n");
        sql.Append("DO $migrations_build$ BEGIN IF EXISTS (SELECT 1 FROM ").Append(history.QualifiedName)
            .Append(" WHERE dirty) THEN RAISE EXCEPTION 'a migration in ").Append(history.DisplayName.Replace("'", "''"))
            .Append(" is dirty (it failed part-way): nothing was run. See dotnet msbuild -t:MigrateStatus and MigrateForce'; END IF; END $migrations_build$;\n");
        sql.Append("-- One run at a time, as MigrateUp (released when the session ends).\n");
        sql.Append("SELECT pg_advisory_lock(").Append(history.LockKey.ToString(CultureInfo.InvariantCulture)).Append(");\n");

        foreach (var migration in migrations)
        {
            var plan = MigrationScriptPlan.For(migration.Up!);
            var version = migration.Version.ToString(CultureInfo.InvariantCulture);
            sql.Append("\n-- ").Append(migration).Append(plan.Transactional ? " (one transaction with its history row)" : " (-- migrate:no-transaction: outside a transaction, statement by statement)").Append('\n');
            sql.Append("SELECT NOT EXISTS (SELECT 1 FROM ").Append(history.QualifiedName).Append(" WHERE version = ").Append(version).Append(") AS ").Append(PendingVariable).Append(" \\gset\n");
            sql.Append("\\if :").Append(PendingVariable).Append('\n');
            var row = $"{version}, {SqlLiteral.Quote(migration.Name)}, {SqlLiteral.Quote(migration.Up!.Checksum)}";
            if (plan.Transactional)
            {
                sql.Append("BEGIN;\n");
                AppendTimeouts(sql, plan, "SET LOCAL", reset: false);
                AppendStatements(sql, plan);
                AppendTimeouts(sql, plan, "SET LOCAL", reset: true);
                sql.Append("INSERT INTO ").Append(history.QualifiedName).Append(" (version, name, checksum, applied_at, execution_ms, dirty) VALUES (")
                    .Append(row).Append(", clock_timestamp(), ").Append(HistoryTable.TransactionMsSql).Append(", false);\n");
                sql.Append("COMMIT;\n");
            }
            else
            {
                sql.Append("INSERT INTO ").Append(history.QualifiedName).Append(" (version, name, checksum, applied_at, dirty) VALUES (")
                    .Append(row).Append(", clock_timestamp(), true) ON CONFLICT (version) DO UPDATE SET dirty = true;\n");
                AppendTimeouts(sql, plan, "SET", reset: false);
                AppendStatements(sql, plan);
                AppendTimeouts(sql, plan, "SET", reset: true);
                sql.Append("UPDATE ").Append(history.QualifiedName).Append(" SET dirty = false, applied_at = clock_timestamp() WHERE version = ").Append(version).Append(";\n");
            }
            sql.Append("\\endif\n");
        }
        sql.Append("\nSELECT pg_advisory_unlock(").Append(history.LockKey.ToString(CultureInfo.InvariantCulture)).Append(");\n");
        return sql.ToString();
    }

    /// <summary>
    /// The file's own <c>-- migrate:lock-timeout</c> and <c>-- migrate:statement-timeout</c>, around its statements as
    /// MigrateUp sets them. MigrationStatementLockTimeout is not written: psql would not retry after a lock timeout.
    /// </summary>
    private static void AppendTimeouts(StringBuilder sql, MigrationScriptPlan plan, string set, bool reset)
    {
        foreach (var (setting, value) in new[] { ("lock_timeout", plan.LockTimeout), ("statement_timeout", plan.StatementTimeout) })
        {
            if (value is not { } v) continue;
            sql.Append(set).Append(' ').Append(setting).Append(reset ? " TO DEFAULT" : " = " + PgDuration.ToSql(v)).Append(";\n");
        }
    }

    private static void AppendStatements(StringBuilder sql, MigrationScriptPlan plan)
    {
        foreach (var statement in plan.Statements)
        {
            sql.Append(statement.Text);
            if (!statement.IsTerminated) sql.Append(';');
            sql.Append('\n');
        }
    }
}
