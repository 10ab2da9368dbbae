using Migrations.Build.Engine.Linting;
using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Tests.Linting;

public sealed class StatementClassifierTests
{
    private static StatementInfo Classify(string sql) =>
        StatementClassifier.Classify(Assert.Single(SqlStatementSplitter.Split(sql).Statements));

    private static string[] Names(StatementInfo info) => info.Names.Select(n => n.ToString()).ToArray();

    [Theory]
    [InlineData("BEGIN;", StatementKind.Begin)]
    [InlineData("begin transaction isolation level serializable;", StatementKind.Begin)]
    [InlineData("START TRANSACTION;", StatementKind.Begin)]
    [InlineData("COMMIT;", StatementKind.Commit)]
    [InlineData("end;", StatementKind.Commit)]
    [InlineData("ROLLBACK;", StatementKind.Rollback)]
    [InlineData("Abort;", StatementKind.Rollback)]
    [InlineData("SELECT 1;", StatementKind.Other)]
    [InlineData("GRANT SELECT ON t TO r;", StatementKind.Other)]
    [InlineData("INSERT INTO t VALUES (1);", StatementKind.Insert)]
    public void Recognises_the_statement_kind(string sql, StatementKind kind) => Assert.Equal(kind, Classify(sql).Kind);

    [Fact]
    public void Commit_prepared_is_no_commit_and_cannot_run_in_a_transaction()
    {
        var info = Classify("COMMIT PREPARED 'x';");
        Assert.Equal(StatementKind.Other, info.Kind);
        Assert.Equal("COMMIT PREPARED", info.NonTransactionalCommand);
    }

    [Theory]
    [InlineData("CREATE TABLE users (id int);", SqlObjectKind.Table, "users")]
    [InlineData("create unlogged table if not exists Users (id int);", SqlObjectKind.Table, "users")]
    [InlineData("CREATE GLOBAL TEMPORARY TABLE t (id int);", SqlObjectKind.Table, "t")]
    [InlineData("CREATE TYPE mood AS ENUM ('sad', 'ok');", SqlObjectKind.Type, "mood")]
    [InlineData("CREATE SCHEMA app;", SqlObjectKind.Schema, "app")]
    [InlineData("CREATE SCHEMA AUTHORIZATION joe;", SqlObjectKind.Schema, "joe")]
    [InlineData("CREATE OR REPLACE FUNCTION app.f(a int) RETURNS int LANGUAGE sql AS $$ select a $$;", SqlObjectKind.Function, "app.f")]
    [InlineData("CREATE PROCEDURE p() LANGUAGE sql AS $$ select 1 $$;", SqlObjectKind.Procedure, "p")]
    [InlineData("CREATE OR REPLACE TEMP RECURSIVE VIEW v (n) AS SELECT 1;", SqlObjectKind.View, "v")]
    [InlineData("CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1;", SqlObjectKind.MaterializedView, "mv")]
    [InlineData("CREATE SEQUENCE s START 1;", SqlObjectKind.Sequence, "s")]
    [InlineData("CREATE EXTENSION IF NOT EXISTS pgcrypto;", SqlObjectKind.Extension, "pgcrypto")]
    [InlineData("CREATE INDEX ix ON t (a);", SqlObjectKind.Index, "ix")]
    [InlineData("CREATE DOMAIN d AS int;", SqlObjectKind.Other, "")]
    public void Create_names_the_kind_and_the_object(string sql, SqlObjectKind kind, string name)
    {
        var info = Classify(sql);
        Assert.Equal(StatementKind.Create, info.Kind);
        Assert.Equal(kind, info.ObjectKind);
        Assert.Equal(name, string.Join(",", Names(info)));
        Assert.False(info.CannotRunInTransaction);
        Assert.False(info.IsDestructive);
    }

    [Fact]
    public void Names_fold_unquoted_parts_and_keep_quoted_ones_verbatim()
    {
        var info = Classify("CREATE TABLE \"App\".\"User \"\"Data\"\"\" (id int);");
        Assert.Equal(new SqlObjectName("App", "User \"Data\""), info.Names[0]);

        info = Classify("DROP TABLE MyDb.Public.UsErS;");
        Assert.Equal(new SqlObjectName("public", "users"), info.Names[0]);
        Assert.Equal("public.users", info.Names[0].ToString());
    }

    [Fact]
    public void An_unqualified_name_matches_any_schema_but_two_schemas_must_agree()
    {
        var plain = new SqlObjectName(null, "users");
        Assert.True(plain.Matches(new SqlObjectName("app", "users")));
        Assert.True(new SqlObjectName("app", "users").Matches(plain));
        Assert.False(new SqlObjectName("app", "users").Matches(new SqlObjectName("public", "users")));
        Assert.False(plain.Matches(new SqlObjectName(null, "Users")));
    }

    [Fact]
    public void Comments_and_case_between_keywords_do_not_matter()
    {
        var info = Classify("cReAtE /* why */ UNIQUE -- unique\n InDeX\n coNCURRently /* x */ IF NOT EXISTS ix ON ONLY app.t USING btree (a);");
        Assert.Equal(StatementKind.Create, info.Kind);
        Assert.Equal(SqlObjectKind.Index, info.ObjectKind);
        Assert.True(info.Concurrently);
        Assert.True(info.IfNotExists);
        Assert.Equal(["ix"], Names(info));
        Assert.Equal(new SqlObjectName("app", "t"), info.Table);
        Assert.Equal("CREATE INDEX CONCURRENTLY", info.NonTransactionalCommand);
        Assert.True(info.NonTransactionalToken!.Value.IsWord(info.Statement.Source, "concurrently"));
    }

    [Fact]
    public void Create_index_without_a_name_targets_the_table_only()
    {
        var info = Classify("CREATE INDEX ON t (a);");
        Assert.Empty(info.Names);
        Assert.Equal(new SqlObjectName(null, "t"), info.Table);
        Assert.False(info.Concurrently);
        Assert.False(info.CannotRunInTransaction);
    }

    [Fact]
    public void Create_trigger_names_its_table()
    {
        var info = Classify("CREATE OR REPLACE CONSTRAINT TRIGGER trg AFTER INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION f();");
        Assert.Equal(SqlObjectKind.Trigger, info.ObjectKind);
        Assert.Equal(["trg"], Names(info));
        Assert.Equal(new SqlObjectName("app", "t"), info.Table);
        Assert.True(info.OrReplace);
    }

    [Fact]
    public void Drop_lists_every_name_and_its_flags()
    {
        var info = Classify("DROP TABLE IF EXISTS a, app.b, \"C\" CASCADE;");
        Assert.Equal(StatementKind.Drop, info.Kind);
        Assert.Equal(SqlObjectKind.Table, info.ObjectKind);
        Assert.Equal(["a", "app.b", "C"], Names(info));
        Assert.True(info.IfExists);
        Assert.True(info.Cascade);
        Assert.True(info.CascadeToken!.Value.IsWord(info.Statement.Source, "cascade"));
        Assert.Equal("DROP TABLE a, app.b, C", info.DestructiveDescription);
    }

    [Fact]
    public void Drop_function_skips_argument_lists()
    {
        var info = Classify("DROP FUNCTION IF EXISTS f(int, text), g() RESTRICT;");
        Assert.Equal(SqlObjectKind.Function, info.ObjectKind);
        Assert.Equal(["f", "g"], Names(info));
        Assert.False(info.Cascade);
        Assert.False(info.IsDestructive);
    }

    [Theory]
    [InlineData("DROP TABLE users;", "DROP TABLE users")]
    [InlineData("DROP SCHEMA app;", "DROP SCHEMA app")]
    [InlineData("DROP TYPE mood;", "DROP TYPE mood")]
    [InlineData("TRUNCATE audit;", "TRUNCATE audit")]
    [InlineData("TRUNCATE TABLE ONLY a, b * RESTART IDENTITY;", "TRUNCATE a, b")]
    [InlineData("DELETE FROM audit;", "DELETE FROM audit without WHERE")]
    [InlineData("UPDATE users SET active = false;", "UPDATE users without WHERE")]
    [InlineData("ALTER TABLE users DROP COLUMN email;", "ALTER TABLE users DROP COLUMN email")]
    [InlineData("ALTER TABLE users DROP a, DROP COLUMN IF EXISTS b;", "ALTER TABLE users DROP COLUMN a, DROP COLUMN b")]
    public void Destructive_statements_say_what_they_destroy(string sql, string description)
    {
        var info = Classify(sql);
        Assert.True(info.IsDestructive);
        Assert.Equal(description, info.DestructiveDescription);
    }

    [Theory]
    [InlineData("DROP INDEX ix;")]
    [InlineData("DROP VIEW v;")]
    [InlineData("DELETE FROM audit WHERE created_at < now() - interval '1 year';")]
    [InlineData("UPDATE users SET active = false WHERE id = 1;")]
    [InlineData("ALTER TABLE users DROP CONSTRAINT users_email_key;")]
    [InlineData("ALTER TABLE users ALTER COLUMN email DROP NOT NULL;")]
    [InlineData("INSERT INTO t SELECT * FROM u;")]
    public void Other_statements_are_not_destructive(string sql) => Assert.False(Classify(sql).IsDestructive);

    [Fact]
    public void A_where_inside_a_subquery_is_not_the_delete_s_own()
    {
        var info = Classify("DELETE FROM audit USING (SELECT id FROM old WHERE x) o;");
        Assert.Equal(StatementKind.Delete, info.Kind);
        Assert.False(info.HasWhere);
        Assert.True(info.IsDestructive);

        info = Classify("DELETE FROM audit WHERE id IN (SELECT id FROM old);");
        Assert.True(info.HasWhere);
    }

    [Fact]
    public void Update_where_is_found_after_subqueries_in_set()
    {
        var info = Classify("UPDATE ONLY app.users u SET score = (SELECT max(s) FROM scores WHERE user_id = u.id) WHERE u.active;");
        Assert.Equal(StatementKind.Update, info.Kind);
        Assert.Equal(new SqlObjectName("app", "users"), info.Table);
        Assert.True(info.HasWhere);

        info = Classify("UPDATE users SET score = (SELECT max(s) FROM scores WHERE user_id = users.id);");
        Assert.False(info.HasWhere);
        Assert.Equal("UPDATE users without WHERE", info.DestructiveDescription);
    }

    [Fact]
    public void A_with_clause_is_skipped_to_the_statement_it_qualifies()
    {
        var info = Classify("WITH old AS (SELECT id FROM audit WHERE x) DELETE FROM audit;");
        Assert.Equal(StatementKind.Delete, info.Kind);
        Assert.False(info.HasWhere);

        info = Classify("WITH RECURSIVE a AS (SELECT 1), b (n) AS MATERIALIZED (SELECT 2) UPDATE t SET n = 1 WHERE true;");
        Assert.Equal(StatementKind.Update, info.Kind);
        Assert.True(info.HasWhere);
    }

    [Fact]
    public void Alter_table_reads_several_subcommands()
    {
        var info = Classify(
            "ALTER TABLE IF EXISTS ONLY app.users *\n" +
            "  ADD COLUMN IF NOT EXISTS a int NOT NULL DEFAULT 0,\n" +
            "  ADD b text NOT NULL,\n" +
            "  ADD CONSTRAINT c CHECK (a > 0),\n" +
            "  ADD PRIMARY KEY (id),\n" +
            "  DROP COLUMN d CASCADE,\n" +
            "  DROP CONSTRAINT e,\n" +
            "  ALTER COLUMN f SET NOT NULL,\n" +
            "  ALTER g TYPE bigint,\n" +
            "  ALTER COLUMN h SET DATA TYPE text,\n" +
            "  ALTER i SET DEFAULT 1,\n" +
            "  RENAME TO people;");
        Assert.Equal(StatementKind.Alter, info.Kind);
        Assert.Equal(SqlObjectKind.Table, info.ObjectKind);
        Assert.True(info.IfExists);
        Assert.Equal(new SqlObjectName("app", "users"), info.Table);
        Assert.Equal(
        [
            AlterTableActionKind.AddColumn, AlterTableActionKind.AddColumn, AlterTableActionKind.AddConstraint,
            AlterTableActionKind.AddConstraint, AlterTableActionKind.DropColumn, AlterTableActionKind.DropConstraint,
            AlterTableActionKind.SetNotNull, AlterTableActionKind.AlterColumnType, AlterTableActionKind.AlterColumnType,
            AlterTableActionKind.AlterColumn, AlterTableActionKind.Other,
        ], info.AlterTableActions.Select(a => a.Kind));
        Assert.Equal(["a", "b", null, null, "d", null, "f", "g", "h", "i", null], info.AlterTableActions.Select(a => a.Column));

        var a = info.AlterTableActions[0];
        Assert.True(a.IfNotExists && a.NotNull && a.HasDefault && !a.AddsNotNullWithoutValue);
        var b = info.AlterTableActions[1];
        Assert.True(b.NotNull && !b.HasDefault && b.AddsNotNullWithoutValue);
        Assert.True(b.NotNullToken!.Value.IsWord(info.Statement.Source, "NOT"));

        Assert.True(info.Cascade);
        Assert.Equal("ALTER TABLE app.users DROP COLUMN d", info.DestructiveDescription);
    }

    [Theory]
    [InlineData("ALTER TABLE t ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY NOT NULL;")]
    [InlineData("ALTER TABLE t ADD COLUMN id int NOT NULL GENERATED BY DEFAULT AS IDENTITY (START WITH 10);")]
    [InlineData("ALTER TABLE t ADD COLUMN total numeric NOT NULL GENERATED ALWAYS AS (price * qty) STORED;")]
    [InlineData("ALTER TABLE t ADD COLUMN id bigserial NOT NULL;")]
    [InlineData("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;")]
    [InlineData("ALTER TABLE t ADD COLUMN c int CONSTRAINT c_check CHECK (c IS NOT NULL);")]
    [InlineData("ALTER TABLE t ADD COLUMN c int;")]
    [InlineData("ALTER TABLE t ADD COLUMN c int NULL;")]
    public void Added_columns_that_existing_rows_can_get_a_value_for(string sql) =>
        Assert.DoesNotContain(Classify(sql).AlterTableActions, a => a.AddsNotNullWithoutValue);

    [Theory]
    [InlineData("ALTER TABLE t ADD COLUMN c int NOT NULL;")]
    [InlineData("alter table t add c int not null;")]
    [InlineData("ALTER TABLE t ADD COLUMN c int PRIMARY KEY;")]
    [InlineData("ALTER TABLE t ADD COLUMN c int NOT NULL REFERENCES u ON DELETE SET DEFAULT;")]
    [InlineData("ALTER TABLE t ADD COLUMN c int CONSTRAINT nn NOT NULL CHECK (c > 0);")]
    public void Added_columns_that_existing_rows_cannot_fill(string sql) =>
        Assert.Contains(Classify(sql).AlterTableActions, a => a.AddsNotNullWithoutValue);

    [Fact]
    public void On_delete_cascade_of_an_added_constraint_is_no_cascade()
    {
        var info = Classify("ALTER TABLE t DROP CONSTRAINT fk, ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES u (id) ON DELETE CASCADE;");
        Assert.False(info.Cascade);
        Assert.False(Classify("CREATE TABLE t (u int REFERENCES u ON DELETE CASCADE);").Cascade);
        Assert.False(Classify("CREATE TABLE t (note text CHECK (note <> 'CASCADE'));").Cascade);
        Assert.True(Classify("TRUNCATE a, b CASCADE;").Cascade);
        Assert.True(Classify("ALTER TYPE t DROP ATTRIBUTE a CASCADE;").Cascade);
    }

    [Theory]
    [InlineData("CREATE INDEX CONCURRENTLY ix ON t (a);", "CREATE INDEX CONCURRENTLY")]
    [InlineData("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON ONLY t (a);", "CREATE INDEX CONCURRENTLY")]
    [InlineData("CREATE INDEX CONCURRENTLY ON t (a);", "CREATE INDEX CONCURRENTLY")]
    [InlineData("DROP INDEX CONCURRENTLY IF EXISTS ix;", "DROP INDEX CONCURRENTLY")]
    [InlineData("REINDEX INDEX CONCURRENTLY ix;", "REINDEX CONCURRENTLY")]
    [InlineData("REINDEX (VERBOSE, CONCURRENTLY) TABLE t;", "REINDEX CONCURRENTLY")]
    [InlineData("REINDEX SCHEMA app;", "REINDEX SCHEMA")]
    [InlineData("REINDEX DATABASE app;", "REINDEX DATABASE")]
    [InlineData("REINDEX SYSTEM;", "REINDEX SYSTEM")]
    [InlineData("VACUUM (ANALYZE) t;", "VACUUM")]
    [InlineData("vacuum;", "VACUUM")]
    [InlineData("ALTER SYSTEM SET work_mem = '64MB';", "ALTER SYSTEM")]
    [InlineData("CREATE DATABASE app;", "CREATE DATABASE")]
    [InlineData("DROP DATABASE IF EXISTS app;", "DROP DATABASE")]
    [InlineData("CREATE TABLESPACE fast LOCATION '/ssd';", "CREATE TABLESPACE")]
    [InlineData("DROP TABLESPACE fast;", "DROP TABLESPACE")]
    [InlineData("ALTER DATABASE app SET TABLESPACE fast;", "ALTER DATABASE SET TABLESPACE")]
    [InlineData("ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;", "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY")]
    public void Statements_that_cannot_run_in_a_transaction(string sql, string command)
    {
        var info = Classify(sql);
        Assert.True(info.CannotRunInTransaction);
        Assert.Equal(command, info.NonTransactionalCommand);
        Assert.NotNull(info.NonTransactionalToken);
    }

    [Theory]
    [InlineData("ALTER TYPE mood ADD VALUE 'happy';")]
    [InlineData("CREATE INDEX ix ON t (a);")]
    [InlineData("REINDEX TABLE t;")]
    [InlineData("ANALYZE t;")]
    [InlineData("CLUSTER t USING ix;")]
    [InlineData("REFRESH MATERIALIZED VIEW CONCURRENTLY mv;")]
    [InlineData("ALTER DATABASE app SET search_path = app;")]
    [InlineData("ALTER TABLE p DETACH PARTITION p1;")]
    public void Statements_that_run_in_a_transaction(string sql) => Assert.False(Classify(sql).CannotRunInTransaction);

    [Fact]
    public void Unknown_or_truncated_statements_classify_without_failing()
    {
        foreach (var sql in new[] { "CREATE", "DROP", "ALTER TABLE", "ALTER TABLE t ADD", "DELETE", "UPDATE", "TRUNCATE", "WITH x AS (",
                     "CREATE INDEX CONCURRENTLY IF NOT", "DROP TABLE a,", "ALTER TABLE t ,, ,", ")))(((", "REINDEX (", "CREATE SCHEMA AUTHORIZATION" })
        {
            var info = Classify(sql);
            Assert.NotNull(info);
        }

        Assert.Equal(StatementKind.Other, Classify("frobnicate the database;").Kind);
    }
}
