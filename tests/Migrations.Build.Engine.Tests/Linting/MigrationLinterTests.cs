using Migrations.Build.Engine.Linting;

namespace Migrations.Build.Engine.Tests.Linting;

public sealed class MigrationLinterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Up = "000001_m.up.sql";
    private const string Down = "000001_m.down.sql";

    private IReadOnlyList<MigrationDiagnostic> LintPair(string up, string down = "SELECT 1;", LintOptions? options = null)
    {
        _dir.Write(Up, up);
        _dir.Write(Down, down);
        return Lint(options);
    }

    private IReadOnlyList<MigrationDiagnostic> LintForwardOnly(string sql, LintOptions? options = null)
    {
        _dir.Write("001_m.sql", sql);
        return Lint(options);
    }

    private IReadOnlyList<MigrationDiagnostic> Lint(LintOptions? options)
    {
        var set = MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path));
        return MigrationLinter.Lint(set, options ?? LintOptions.Default);
    }

    private static MigrationDiagnostic Single(IReadOnlyList<MigrationDiagnostic> diagnostics, string code, DiagnosticSeverity severity,
        string file, int line, int column)
    {
        var found = Assert.Single(diagnostics, d => d.Code == code);
        Assert.Equal(severity, found.Severity);
        Assert.Equal(file, Path.GetFileName(found.FilePath));
        Assert.Equal((line, column), (found.Line, found.Column));
        return found;
    }

    private static void None(IReadOnlyList<MigrationDiagnostic> diagnostics, string? code = null)
    {
        if (code is null) Assert.Empty(diagnostics);
        else Assert.DoesNotContain(diagnostics, d => d.Code == code);
    }

    // ---- MIG101, MIG102: the splitter's problems

    [Fact]
    public void Unterminated_sql_and_psql_meta_commands_are_errors_at_their_position()
    {
        var diagnostics = LintPair("SELECT 1;\n\\i other.sql\nSELECT 'oops;\n");
        Single(diagnostics, DiagnosticCodes.PsqlMetaCommand, DiagnosticSeverity.Error, Up, 2, 1);
        Single(diagnostics, DiagnosticCodes.UnterminatedSql, DiagnosticSeverity.Error, Up, 3, 8);
    }

    [Fact]
    public void An_unclosed_parenthesis_is_reported_as_itself_not_as_a_missing_commit()
    {
        var diagnostics = LintPair("BEGIN; CREATE TABLE x (id int; COMMIT;", "BEGIN; DROP TABLE x; COMMIT;");

        var found = Assert.Single(diagnostics);
        Assert.Equal((DiagnosticCodes.UnclosedParenthesis, DiagnosticSeverity.Error, Up, 1, 23),
            (found.Code, found.Severity, Path.GetFileName(found.FilePath), found.Line, found.Column));
    }

    [Fact]
    public void An_unterminated_string_is_not_also_a_missing_commit()
    {
        var diagnostics = LintForwardOnly("-- migrate:no-transaction\nBEGIN;\nINSERT INTO t VALUES ('open);\nCOMMIT;\n");

        Assert.Equal([DiagnosticCodes.UnterminatedSql], diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void The_repository_s_own_migrations_and_the_templates_lint_clean()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoRoot(), "migrations"), "*.sql"))
            File.Copy(file, Path.Combine(_dir.Path, Path.GetFileName(file)));
        None(Lint(null));

        using var templates = new TempDirectory();
        var version = 1;
        var names = new Dictionary<string, string>
        {
            [MigrationTemplates.Default] = "change_things",
            [MigrationTemplates.CreateTable] = "create_orders",
            [MigrationTemplates.AddColumn] = "add_status_to_orders",
            [MigrationTemplates.AddIndex] = "add_index_orders_on_status",
        };
        foreach (var template in MigrationTemplates.Names)
        {
            var (up, down) = MigrationTemplates.Render(template, names[template], DateTime.UnixEpoch);
            templates.Write($"{version:D6}_t.up.sql", up);
            templates.Write($"{version++:D6}_t.down.sql", down!);
        }

        var set = MigrationSetLoader.Load(new MigrationSetOptions(templates.Path));
        None(MigrationLinter.Lint(set, LintOptions.Default));
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Migrations.Build.sln"))) dir = Path.GetDirectoryName(dir)!;
        return dir;
    }

    // ---- MIG110

    [Fact]
    public void Concurrent_index_in_a_transactional_migration_is_an_error_at_concurrently()
    {
        var diagnostics = LintPair("BEGIN;\nCREATE INDEX\n    CONCURRENTLY ix ON users (email);\nCOMMIT;\n", "DROP INDEX ix;");
        var found = Single(diagnostics, LintCodes.NonTransactionalInTransaction, DiagnosticSeverity.Error, Up, 3, 5);
        Assert.Contains("CREATE INDEX CONCURRENTLY cannot run inside a transaction block", found.Message);
        Assert.Contains("add '-- migrate:no-transaction' on a line of its own and remove BEGIN/COMMIT", found.Message);
    }

    [Fact]
    public void Vacuum_without_any_begin_still_runs_in_the_runner_s_transaction()
    {
        Single(LintForwardOnly("SELECT 1;\nVACUUM users;\n"), LintCodes.NonTransactionalInTransaction, DiagnosticSeverity.Error, "001_m.sql", 2, 1);
    }

    [Fact]
    public void Concurrent_index_under_the_no_transaction_directive_is_fine()
    {
        None(LintPair("-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON users (email);\n",
            "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS ix;\n"));
    }

    [Fact]
    public void Concurrent_index_inside_an_explicit_begin_of_a_no_transaction_migration_is_an_error()
    {
        var found = Single(LintForwardOnly("-- migrate:no-transaction\nBEGIN;\nCREATE INDEX CONCURRENTLY ix ON users (email);\nCOMMIT;\n"),
            LintCodes.NonTransactionalInTransaction, DiagnosticSeverity.Error, "001_m.sql", 3, 14);
        Assert.Contains("inside the BEGIN at line 2", found.Message);
    }

    // ---- MIG111

    [Fact]
    public void Begin_without_commit_is_an_error()
    {
        Single(LintForwardOnly("BEGIN;\nCREATE TABLE t (id int);\n"), LintCodes.TransactionControlMisuse, DiagnosticSeverity.Error, "001_m.sql", 1, 1);
    }

    [Fact]
    public void Commit_without_begin_is_an_error()
    {
        Single(LintForwardOnly("CREATE TABLE t (id int);\n  COMMIT;\n"), LintCodes.TransactionControlMisuse, DiagnosticSeverity.Error, "001_m.sql", 2, 3);
    }

    [Fact]
    public void Begin_that_is_not_first_and_commit_that_is_not_last_are_errors()
    {
        var diagnostics = LintForwardOnly("CREATE TABLE t (id int);\nSTART TRANSACTION;\nCREATE TABLE u (id int);\nCOMMIT;\nCREATE TABLE v (id int);\n");
        var errors = diagnostics.Where(d => d.Code == LintCodes.TransactionControlMisuse).ToList();
        Assert.Equal([(2, 1), (4, 1)], errors.Select(e => (e.Line, e.Column)));
        Assert.Contains("'START TRANSACTION' is not the first statement", errors[0].Message);
        Assert.Contains("'COMMIT' is not the last statement", errors[1].Message);
    }

    [Fact]
    public void Rollback_anywhere_is_an_error()
    {
        Single(LintForwardOnly("BEGIN;\nCREATE TABLE t (id int);\nROLLBACK;\nCOMMIT;\n"), LintCodes.TransactionControlMisuse,
            DiagnosticSeverity.Error, "001_m.sql", 3, 1);
        Assert.Contains(LintPair("-- migrate:no-transaction\nabort;\n"), d => d.Code == LintCodes.TransactionControlMisuse && d.Line == 2);
    }

    [Fact]
    public void A_whole_file_wrapper_or_none_is_fine()
    {
        None(LintPair("BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n", "BEGIN;\nDROP TABLE t;\nEND;\n"));
    }

    [Fact]
    public void A_no_transaction_migration_may_have_balanced_transactions_of_its_own()
    {
        None(LintForwardOnly("-- migrate:no-transaction\nBEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n" +
                             "CREATE INDEX CONCURRENTLY ix ON t (id);\nBEGIN;\nCREATE TABLE u (id int);\nCOMMIT;\n"));
    }

    [Fact]
    public void A_no_transaction_migration_with_unbalanced_begin_or_commit_is_an_error()
    {
        var diagnostics = LintForwardOnly("-- migrate:no-transaction\nCOMMIT;\nBEGIN;\nBEGIN;\nSELECT 1;\n");
        Assert.Equal([(2, 1), (3, 1), (4, 1)],
            diagnostics.Where(d => d.Code == LintCodes.TransactionControlMisuse).Select(d => (d.Line, d.Column)));
    }

    // ---- MIG112

    [Fact]
    public void Destructive_statement_in_an_up_migration_is_a_warning()
    {
        var found = Single(LintPair("BEGIN;\nDROP TABLE legacy_users;\nCOMMIT;\n"), LintCodes.DestructiveStatement,
            DiagnosticSeverity.Warning, Up, 2, 1);
        Assert.Contains("'DROP TABLE legacy_users' destroys data", found.Message);
    }

    [Fact]
    public void Destructive_statement_is_quoted_as_the_file_writes_it()
    {
        var found = Single(LintPair("BEGIN;\nDROP TABLE IF EXISTS\n  legacy_users; -- archived\nCOMMIT;\n"), LintCodes.DestructiveStatement,
            DiagnosticSeverity.Warning, Up, 2, 1);
        Assert.StartsWith("'DROP TABLE IF EXISTS legacy_users' destroys data", found.Message);
    }

    [Fact]
    public void Delete_without_where_in_a_forward_only_migration_is_a_warning()
    {
        var found = Single(LintForwardOnly("SELECT 1;\n  DELETE FROM audit;\n"), LintCodes.DestructiveStatement,
            DiagnosticSeverity.Warning, "001_m.sql", 2, 3);
        Assert.StartsWith("'DELETE FROM audit' has no WHERE", found.Message);
    }

    [Fact]
    public void Destructive_statements_in_a_down_script_are_expected()
    {
        None(LintPair("CREATE TABLE t (id int);", "DROP TABLE t;\nTRUNCATE audit;\nALTER TABLE users DROP COLUMN x;"));
    }

    [Fact]
    public void Dropping_a_helper_table_the_same_script_created_destroys_nothing()
    {
        None(LintForwardOnly("CREATE TEMP TABLE staging (id int);\nCREATE TABLE app.tmp (id int);\nDROP TABLE staging, tmp;"));
        Single(LintForwardOnly("CREATE TABLE tmp (id int);\nDROP TABLE tmp, users;"), LintCodes.DestructiveStatement,
            DiagnosticSeverity.Warning, "001_m.sql", 2, 1);
    }

    [Fact]
    public void Delete_with_where_is_not_destructive()
    {
        None(LintForwardOnly("DELETE FROM audit WHERE created_at < now() - interval '1 year';"));
    }

    // ---- MIG113

    [Fact]
    public void Cascade_is_a_warning_at_the_cascade_token_even_in_a_down_script()
    {
        var diagnostics = LintPair("CREATE TABLE t (id int);", "DROP TABLE t\n    CASCADE;");
        var found = Single(diagnostics, LintCodes.Cascade, DiagnosticSeverity.Warning, Down, 2, 5);
        Assert.Contains("'t'", found.Message);
    }

    [Fact]
    public void Truncate_cascade_is_a_warning()
    {
        var found = Single(LintForwardOnly("-- migrate:ignore MIG112\nTRUNCATE orders CASCADE;"), LintCodes.Cascade,
            DiagnosticSeverity.Warning, "001_m.sql", 2, 17);
        Assert.Contains("empties every table", found.Message);
    }

    [Fact]
    public void On_delete_cascade_is_no_warning()
    {
        None(LintForwardOnly("CREATE TABLE t (id int PRIMARY KEY, u int REFERENCES users ON DELETE CASCADE);"));
    }

    // ---- MIG114

    [Fact]
    public void Not_null_column_without_default_on_an_existing_table_is_a_warning_at_not()
    {
        var found = Single(LintPair("ALTER TABLE users\n    ADD COLUMN tier text NOT NULL;", "ALTER TABLE users DROP COLUMN tier;"),
            LintCodes.NotNullColumnWithoutDefault, DiagnosticSeverity.Warning, Up, 2, 26);
        Assert.Contains("'tier'", found.Message);
        Assert.Contains("'users'", found.Message);
    }

    [Fact]
    public void Not_null_column_with_the_column_keyword_omitted_is_found_too()
    {
        Single(LintForwardOnly("ALTER TABLE users ADD c int NOT NULL, ADD d int;"), LintCodes.NotNullColumnWithoutDefault,
            DiagnosticSeverity.Warning, "001_m.sql", 1, 29);
    }

    [Theory]
    [InlineData("ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';")]
    [InlineData("ALTER TABLE users ADD COLUMN tier text;")]
    [InlineData("ALTER TABLE users ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;")]
    [InlineData("ALTER TABLE users ADD COLUMN n int NOT NULL GENERATED ALWAYS AS (1 + 1) STORED;")]
    [InlineData("CREATE TABLE users (id int);\nALTER TABLE public.users ADD COLUMN tier text NOT NULL;")]
    public void Not_null_columns_that_can_be_filled_or_on_a_new_table_are_fine(string sql) =>
        None(LintForwardOnly(sql), LintCodes.NotNullColumnWithoutDefault);

    // ---- MIG115

    [Fact]
    public void Index_without_concurrently_on_an_existing_table_is_a_warning()
    {
        var found = Single(LintPair("BEGIN;\n\nCREATE UNIQUE INDEX ix_users_email ON users (email);\nCOMMIT;", "DROP INDEX ix_users_email;"),
            LintCodes.IndexWithoutConcurrently, DiagnosticSeverity.Warning, Up, 3, 1);
        Assert.Contains("CREATE INDEX CONCURRENTLY, in a migration of its own marked '-- migrate:no-transaction'", found.Message);
    }

    [Fact]
    public void Index_on_a_table_created_earlier_in_the_same_script_is_fine()
    {
        None(LintPair("CREATE TABLE app.t (id int);\nCREATE INDEX ix ON t (id);\nCREATE INDEX ON app.t (id);", "DROP TABLE app.t;"));
    }

    [Fact]
    public void Index_on_a_table_created_after_it_still_warns()
    {
        Single(LintForwardOnly("CREATE INDEX ix ON t (id);\nCREATE TABLE t (id int);"), LintCodes.IndexWithoutConcurrently,
            DiagnosticSeverity.Warning, "001_m.sql", 1, 1);
    }

    // ---- MIG116

    [Fact]
    public void Down_that_does_not_drop_what_up_creates_is_a_warning_on_the_down_file()
    {
        var diagnostics = LintPair("BEGIN;\nCREATE TABLE t (id int);\nCREATE TYPE mood AS ENUM ('a');\nCREATE INDEX ix ON t (id);\n" +
                                   "CREATE VIEW v AS SELECT 1;\nCOMMIT;",
            "DROP TABLE t;");
        var found = diagnostics.Where(d => d.Code == LintCodes.DownDoesNotReverseUp).ToList();
        Assert.Equal(2, found.Count);
        Assert.All(found, d => Assert.Equal((Down, 1, 1, DiagnosticSeverity.Warning), (Path.GetFileName(d.FilePath), d.Line, d.Column, d.Severity)));
        Assert.Contains("creates TYPE mood (line 3)", found[0].Message);
        Assert.Contains("'DROP TYPE IF EXISTS mood;'", found[0].Message);
        Assert.Contains("creates VIEW v (line 5)", found[1].Message);
    }

    [Fact]
    public void Down_that_drops_everything_is_fine_with_or_without_schema_or_list()
    {
        None(LintPair(
            "CREATE SCHEMA billing;\nCREATE TABLE billing.invoices (id int);\nCREATE TABLE \"Items\" (id int);\nCREATE INDEX ix_items ON \"Items\" (id);\n" +
            "CREATE SEQUENCE app.s;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nCREATE MATERIALIZED VIEW mv AS SELECT 1;\n" +
            "CREATE TABLE tmp (id int);\nDROP TABLE tmp;",
            "DROP MATERIALIZED VIEW mv;\nDROP ROUTINE f();\nDROP SEQUENCE s;\nDROP TABLE IF EXISTS invoices, \"Items\";\nDROP SCHEMA billing;"));
    }

    [Fact]
    public void Temporary_tables_need_no_undoing()
    {
        None(LintPair("CREATE TEMP TABLE staging (id int);\nCREATE TEMPORARY TABLE staging2 AS SELECT 1;", "SELECT 1;"));
        None(LintPair("CREATE TEMP TABLE staging (id int);\nCREATE INDEX ix_staging ON staging (id);", "SELECT 1;"), LintCodes.DownDoesNotReverseUp);
    }

    [Fact]
    public void A_trigger_left_behind_is_reported_with_a_drop_that_names_its_table()
    {
        var found = Single(LintPair("CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION touch();", "SELECT 1;"),
            LintCodes.DownDoesNotReverseUp, DiagnosticSeverity.Warning, Down, 1, 1);
        Assert.Contains("'DROP TRIGGER IF EXISTS users_touch ON app.users;'", found.Message);
    }

    [Theory]
    [InlineData("ALTER TABLE users ADD COLUMN tier text;\nCREATE INDEX ix_tier ON users (lower(tier)) WHERE tier <> '';", "ALTER TABLE users DROP COLUMN tier;")]
    [InlineData("CREATE TABLE t (id int);\nCREATE SEQUENCE s OWNED BY t.id;\nCREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();", "DROP TABLE t;")]
    [InlineData("CREATE TABLE t (id int);\nCREATE VIEW v AS SELECT * FROM t;\nCREATE MATERIALIZED VIEW mv AS SELECT * FROM v;\nCREATE INDEX ix ON mv (id);", "DROP TABLE t CASCADE;")]
    [InlineData("CREATE MATERIALIZED VIEW mv AS SELECT 1 AS id;\nCREATE INDEX ix ON mv (id);", "DROP MATERIALIZED VIEW mv;")]
    [InlineData("CREATE TABLE p (at date) PARTITION BY RANGE (at);\nCREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');", "DROP TABLE p;")]
    [InlineData("CREATE TABLE a (id int);\nALTER TABLE a RENAME TO b;\nCREATE INDEX ix ON b (id);\nALTER INDEX ix RENAME TO ix_b;", "DROP TABLE b;")]
    public void What_PostgreSQL_drops_along_with_what_the_down_drops_is_reversed(string up, string down)
    {
        None(LintPair(up, down), LintCodes.DownDoesNotReverseUp);
    }

    [Fact]
    public void Dropping_a_schema_reverses_what_was_created_in_it()
    {
        None(LintPair("CREATE SCHEMA app;\nCREATE TABLE app.t (id int);\nCREATE TYPE app.mood AS ENUM ('a');", "DROP SCHEMA app CASCADE;"),
            LintCodes.DownDoesNotReverseUp);
    }

    [Fact]
    public void A_replaced_function_is_reversed_by_putting_the_old_one_back()
    {
        None(LintPair("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;",
            "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;"));
    }

    [Fact]
    public void Empty_down_scripts_and_forward_only_migrations_are_not_checked_for_reversal()
    {
        None(LintPair("CREATE TABLE t (id int);", "  \n"), LintCodes.DownDoesNotReverseUp);
        None(LintForwardOnly("CREATE TABLE t (id int);"));
    }

    // ---- MIG119

    [Fact]
    public void A_template_placeholder_is_an_error_at_its_position_but_comparisons_are_not_placeholders()
    {
        var diagnostics = LintForwardOnly("SELECT 1 FROM t WHERE a <b AND c> d;\nALTER TABLE <table>\n  ADD COLUMN <column> text; -- <not sql>\n");

        Assert.Equal([(2, 13), (3, 14)],
            diagnostics.Where(d => d.Code == LintCodes.TemplatePlaceholder && d.Severity == DiagnosticSeverity.Error).Select(d => (d.Line, d.Column)));
        Assert.Contains("'<table>' is a placeholder", diagnostics[0].Message);
    }

    // ---- MIG117

    [Fact]
    public void If_exists_is_not_required_by_default()
    {
        None(LintPair("CREATE TABLE t (id int);\nCREATE SCHEMA s;", "DROP SCHEMA s;\nDROP TABLE t;"));
    }

    [Fact]
    public void Require_if_exists_warns_on_create_and_drop_without_it()
    {
        var options = new LintOptions { RequireIfExists = true };
        var diagnostics = LintPair(
            "CREATE TABLE t (id int);\nCREATE INDEX ix ON t (id);\nCREATE EXTENSION citext;\nCREATE TYPE mood AS ENUM ('a');\n" +
            "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nCREATE TABLE IF NOT EXISTS u (id int);",
            "DROP TYPE IF EXISTS mood;\nDROP FUNCTION IF EXISTS f;\nDROP TABLE u;\nDROP TABLE IF EXISTS t;", options);
        var found = diagnostics.Where(d => d.Code == LintCodes.MissingIfExists).ToList();
        Assert.Equal([(Up, 1), (Up, 2), (Up, 3), (Down, 3)], found.Select(d => (Path.GetFileName(d.FilePath)!, d.Line)));
        Assert.All(found, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Contains("write CREATE TABLE IF NOT EXISTS", found[0].Message);
        Assert.Contains("write DROP TABLE IF EXISTS", found[3].Message);
        Assert.DoesNotContain(diagnostics, d => d.Code != LintCodes.MissingIfExists);
    }

    // ---- Entry points for the runner

    [Fact]
    public void Lint_script_lints_one_file_without_the_pair_rule()
    {
        _dir.Write(Up, "CREATE TABLE t (id int);\nDROP TABLE users;");
        _dir.Write(Down, "-- migrate:ignore-file MIG116\nSELECT 1;");
        var set = MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path));
        var migration = Assert.Single(set.Migrations);

        Single(MigrationLinter.LintScript(migration.Up!, LintOptions.Default), LintCodes.DestructiveStatement, DiagnosticSeverity.Warning, Up, 2, 1);
        None(MigrationLinter.LintScript(migration.Down!, LintOptions.Default));
        Assert.Equal([LintCodes.DestructiveStatement], MigrationLinter.Lint(migration, LintOptions.Default).Select(d => d.Code));
    }

    [Fact]
    public void Destructive_statements_are_listed_with_file_and_position_in_up_and_down()
    {
        _dir.Write(Up, "-- migrate:ignore MIG112\nDROP TABLE old;\nCREATE TABLE t (id int);\n  DELETE FROM audit;");
        _dir.Write(Down, "\nDROP TABLE t;");
        var migration = Assert.Single(MigrationSetLoader.Load(new MigrationSetOptions(_dir.Path)).Migrations);

        var found = MigrationLinter.DestructiveStatements(migration);
        Assert.Equal([(Up, 2, 1, "DROP TABLE old"), (Up, 4, 3, "DELETE FROM audit without WHERE"), (Down, 2, 1, "DROP TABLE t")],
            found.Select(d => (Path.GetFileName(d.FilePath), d.Line, d.Column, d.Description)));
        Assert.Equal("DROP TABLE t;", found[2].Statement.Text);
    }
}
