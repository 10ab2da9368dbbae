using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.Sql;
using Migrations.Build.Engine.Verification;
using Npgsql;

namespace Migrations.Build.Engine.Tests.Verification;

/// <summary>Against a real PostgreSQL server: one cluster for the class, a fresh database per test.</summary>
public sealed class SchemaSnapshotTests(LocalClusterFixture fixture) : IClassFixture<LocalClusterFixture>
{
    /// <summary>A bit of everything the snapshot covers.</summary>
    private const string RichSchema = """
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE TYPE address AS (street text, zip varchar(10));
        CREATE TYPE float_range AS RANGE (subtype = float8);
        CREATE DOMAIN email AS text NOT NULL CHECK (VALUE LIKE '%@%');
        CREATE SEQUENCE ticket_numbers START 100 INCREMENT 5;
        CREATE TABLE users (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            email text NOT NULL UNIQUE,
            name text COLLATE "C" DEFAULT '',
            mood mood,
            home address,
            created_at timestamptz NOT NULL DEFAULT now(),
            lower_email text GENERATED ALWAYS AS (lower(email)) STORED
        );
        CREATE INDEX idx_users_created_at ON users (created_at);
        CREATE TABLE projects (
            id serial PRIMARY KEY,
            owner_id bigint REFERENCES users (id) ON DELETE CASCADE,
            title text NOT NULL CHECK (title <> '')
        );
        CREATE UNLOGGED TABLE scratch (payload jsonb);
        CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
        CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE SCHEMA billing;
        CREATE TABLE billing."Invoice Lines" (id int, amount numeric(12, 2));
        CREATE FUNCTION add_one(i integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT i + 1 $$;
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;
        CREATE PROCEDURE noop() LANGUAGE sql AS $$ SELECT 1 $$;
        CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
        CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE VIEW active_users AS SELECT id, email FROM users WHERE mood <> 'sad';
        CREATE MATERIALIZED VIEW project_counts AS SELECT owner_id, count(*) AS n FROM projects GROUP BY owner_id;
        CREATE RULE keep_projects AS ON DELETE TO projects DO INSTEAD NOTHING;
        ALTER TABLE users ENABLE ROW LEVEL SECURITY;
        CREATE POLICY own_rows ON users FOR SELECT USING (email = current_user);
        COMMENT ON TABLE users IS 'people who sign in';
        GRANT SELECT ON users TO PUBLIC;
        """;

    [Fact]
    public async Task A_snapshot_names_every_kind_of_object_with_its_definition()
    {
        await using var connection = await NewDatabaseAsync(RichSchema);

        var snapshot = await SchemaSnapshot.CaptureAsync(connection);

        Assert.Equal("text NOT NULL", Definition(snapshot, "column public.users.email"));
        Assert.Equal("text COLLATE \"C\" DEFAULT ''::text", Definition(snapshot, "column public.users.name"));
        Assert.Equal("public.mood", Definition(snapshot, "column public.users.mood"));
        Assert.Equal("bigint NOT NULL GENERATED ALWAYS AS IDENTITY", Definition(snapshot, "column public.users.id"));
        Assert.Equal("text GENERATED ALWAYS AS (lower(email)) STORED", Definition(snapshot, "column public.users.lower_email"));
        Assert.Equal("integer NOT NULL DEFAULT nextval('public.projects_id_seq'::regclass)", Definition(snapshot, "column public.projects.id"));
        Assert.Equal("PRIMARY KEY (id)", Definition(snapshot, "constraint public.users.users_pkey"));
        Assert.Equal("FOREIGN KEY (owner_id) REFERENCES public.users(id) ON DELETE CASCADE", Definition(snapshot, "constraint public.projects.projects_owner_id_fkey"));
        Assert.Equal("CREATE INDEX idx_users_created_at ON public.users USING btree (created_at)", Definition(snapshot, "index public.idx_users_created_at"));
        Assert.Equal("ENUM ('sad', 'ok', 'happy')", Definition(snapshot, "type public.mood"));
        Assert.Equal("AS (street text, zip character varying(10))", Definition(snapshot, "type public.address"));
        Assert.Equal("RANGE (SUBTYPE = double precision)", Definition(snapshot, "type public.float_range"));
        Assert.Equal("text NOT NULL CONSTRAINT email_check CHECK ((VALUE ~~ '%@%'::text))", Definition(snapshot, "domain public.email"));
        Assert.Equal("AS bigint START 100 INCREMENT 5 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1", Definition(snapshot, "sequence public.ticket_numbers"));
        Assert.Contains("OWNED BY public.projects.id", Definition(snapshot, "sequence public.projects_id_seq"));
        Assert.Equal("column public.projects.id", snapshot.Find("sequence public.projects_id_seq")!.Parent);
        Assert.Equal("UNLOGGED", Definition(snapshot, "table public.scratch"));
        Assert.Equal("PARTITION BY RANGE (at)", Definition(snapshot, "table public.events"));
        Assert.Equal("PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", Definition(snapshot, "table public.events_2024"));
        Assert.StartsWith("ROW LEVEL SECURITY COMMENT 'people who sign in' PRIVILEGES ", Definition(snapshot, "table public.users"));
        Assert.Equal("numeric(12,2)", Definition(snapshot, "column billing.\"Invoice Lines\".amount"));
        Assert.Matches("^RETURNS integer LANGUAGE sql MD5 [0-9a-f]{16}$", Definition(snapshot, "function public.add_one(integer)"));
        Assert.Matches("^LANGUAGE sql MD5 [0-9a-f]{16}$", Definition(snapshot, "procedure public.noop()"));
        Assert.Equal("RETURNS integer SFUNC int4pl STYPE integer INITCOND '0'", Definition(snapshot, "aggregate public.total(integer)"));
        Assert.Equal("CREATE TRIGGER users_touch BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.touch()", Definition(snapshot, "trigger public.users.users_touch"));
        Assert.Equal("PERMISSIVE FOR SELECT TO PUBLIC USING ((email = CURRENT_USER))", Definition(snapshot, "policy public.users.own_rows"));
        Assert.Contains("DO INSTEAD NOTHING", Definition(snapshot, "rule public.projects.keep_projects"));
        Assert.Contains("FROM public.users", Definition(snapshot, "view public.active_users"));
        Assert.Contains("GROUP BY projects.owner_id", Definition(snapshot, "materialized view public.project_counts"));
        Assert.True(snapshot.Contains("schema billing"));
        Assert.True(snapshot.Contains("extension plpgsql"));
        // A constraint's index is its constraint's; view columns are the view's definition.
        Assert.False(snapshot.Contains("index public.users_pkey"));
        Assert.False(snapshot.Contains("column public.active_users.id"));
        Assert.Equal(snapshot.Entries.OrderBy(e => e.Kind).ThenBy(e => e.Identity, StringComparer.Ordinal), snapshot.Entries);
    }

    [Fact]
    public async Task Capturing_is_repeatable_whatever_the_search_path_and_leaves_the_session_as_it_was()
    {
        await using var connection = await NewDatabaseAsync(RichSchema);
        var first = await SchemaSnapshot.CaptureAsync(connection);

        await ExecuteAsync(connection, "SET search_path = billing");
        var second = await SchemaSnapshot.CaptureAsync(connection);

        Assert.Equal(first.Entries, second.Entries);
        Assert.True(SchemaSnapshot.Compare(first, second).IsEmpty);
        await using var show = new NpgsqlCommand("SHOW search_path", connection);
        Assert.Equal("billing", await show.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_down_that_undoes_its_up_leaves_an_identical_schema()
    {
        var difference = await RoundTripAsync(RichSchema,
            up: """
                CREATE TABLE tasks (id int PRIMARY KEY, project_id int REFERENCES projects (id), done boolean DEFAULT false);
                CREATE INDEX idx_tasks_project ON tasks (project_id);
                CREATE TRIGGER tasks_touch BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION touch();
                ALTER TABLE users ADD COLUMN age int;
                DROP INDEX idx_users_created_at;
                GRANT UPDATE ON projects TO PUBLIC;
                COMMENT ON COLUMN projects.title IS 'shown in lists';
                """,
            down: """
                COMMENT ON COLUMN projects.title IS NULL;
                REVOKE UPDATE ON projects FROM PUBLIC;
                CREATE INDEX idx_users_created_at ON users (created_at);
                ALTER TABLE users DROP COLUMN age;
                DROP TABLE tasks;
                """);

        Assert.True(difference.IsEmpty, difference.Describe());
        Assert.Equal("no schema differences", difference.Describe());
    }

    [Fact]
    public async Task A_column_the_down_leaves_behind_is_one_added_difference()
    {
        var difference = await RoundTripAsync("CREATE TABLE users (id int PRIMARY KEY)",
            up: "ALTER TABLE users ADD COLUMN age int",
            down: "SELECT 1");

        var change = Assert.Single(difference.All);
        Assert.Equal(SchemaChangeKind.Added, change.Kind);
        Assert.Equal(SchemaObjectKind.Column, change.ObjectKind);
        Assert.Equal("column public.users.age is still there (added by the up, not dropped by the down)", change.Description);
    }

    [Fact]
    public async Task A_table_left_behind_is_reported_once_not_with_each_of_its_columns_and_indexes()
    {
        var difference = await RoundTripAsync("CREATE TABLE users (id int PRIMARY KEY)",
            up: """
                CREATE TABLE tasks (id serial PRIMARY KEY, user_id int REFERENCES users (id), title text NOT NULL);
                CREATE INDEX idx_tasks_user ON tasks (user_id);
                """,
            down: "ALTER TABLE tasks DROP COLUMN title");

        var change = Assert.Single(difference.Added);
        Assert.Equal("table public.tasks is still there (added by the up, not dropped by the down)", change.Description);
        Assert.Empty(difference.Removed);
        Assert.Empty(difference.Changed);
    }

    [Fact]
    public async Task A_down_that_drops_too_much_reports_what_is_gone()
    {
        var difference = await RoundTripAsync("""
                CREATE TABLE users (id int PRIMARY KEY, email text);
                CREATE INDEX idx_users_email ON users (email);
                CREATE TABLE projects (id int PRIMARY KEY, owner_id int REFERENCES users (id), title text);
                CREATE INDEX idx_projects_owner ON projects (owner_id);
                """,
            up: "ALTER TABLE users ADD COLUMN age int",
            down: """
                ALTER TABLE users DROP COLUMN age;
                DROP TABLE projects;
                DROP INDEX idx_users_email;
                """);

        Assert.Empty(difference.Added);
        Assert.Empty(difference.Changed);
        Assert.Equal(["table public.projects", "index public.idx_users_email"], difference.Removed.Select(c => c.Identity));
        Assert.Equal("table public.projects is gone (dropped by the down but it existed before the up)", difference.Removed[0].Description);
    }

    [Fact]
    public async Task Each_difference_names_the_script_that_made_it()
    {
        var difference = await RoundTripAsync("""
                CREATE TABLE projects (id int PRIMARY KEY);
                CREATE TABLE users (id int PRIMARY KEY, email text);
                CREATE TABLE tags (id int, name text);
                """,
            up: "DROP TABLE projects; ALTER TABLE users ALTER COLUMN email SET NOT NULL; CREATE TABLE audit (id int)",
            down: "DROP TABLE tags; ALTER TABLE users ALTER COLUMN email DROP NOT NULL; ALTER TABLE users ADD COLUMN age int");

        Assert.Equal(
        [
            "table public.audit is still there (added by the up, not dropped by the down)",
            "column public.users.age is new (created by the down; it did not exist before the up)",
            "table public.projects is gone (dropped by the up, not recreated by the down)",
            "table public.tags is gone (dropped by the down but it existed before the up)",
        ], difference.Added.Concat(difference.Removed).Select(c => c.Description));
        Assert.Empty(difference.Changed);
    }

    [Fact]
    public async Task A_change_the_down_makes_is_the_down_s()
    {
        var difference = await RoundTripAsync("CREATE TABLE users (id int, email text)",
            up: "SELECT 1",
            down: "ALTER TABLE users ALTER COLUMN email SET NOT NULL");

        var change = Assert.Single(difference.All);
        Assert.Equal("column public.users.email changed by the down: text → text NOT NULL", change.Description);
    }

    [Fact]
    public async Task Changed_column_type_nullability_and_default_are_changes()
    {
        var difference = await RoundTripAsync("CREATE TABLE users (id int, email text NOT NULL, score int DEFAULT 0)",
            up: "ALTER TABLE users ALTER COLUMN email TYPE varchar(100), ALTER COLUMN email DROP NOT NULL, ALTER COLUMN score SET DEFAULT 1",
            down: "SELECT 1");

        Assert.Empty(difference.Added);
        Assert.Empty(difference.Removed);
        Assert.Equal(
        [
            "column public.users.email changed by the up, not restored by the down: text NOT NULL → character varying(100)",
            "column public.users.score changed by the up, not restored by the down: integer DEFAULT 0 → integer DEFAULT 1",
        ], difference.Changed.Select(c => c.Description));
    }

    [Fact]
    public async Task An_enum_label_added_is_a_change_of_the_type()
    {
        var difference = await RoundTripAsync("CREATE TYPE mood AS ENUM ('sad', 'happy')",
            up: "ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy'",
            down: "SELECT 1");

        var change = Assert.Single(difference.All);
        Assert.Equal("type public.mood changed by the up, not restored by the down: ENUM ('sad', 'happy') → ENUM ('sad', 'ok', 'happy')", change.Description);
    }

    [Fact]
    public async Task A_function_body_changed_is_a_change_of_the_function()
    {
        var difference = await RoundTripAsync(
            "CREATE FUNCTION add_one(i integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT i + 1 $$",
            up: "CREATE OR REPLACE FUNCTION add_one(i integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT i + 2 $$",
            down: "SELECT 1");

        var change = Assert.Single(difference.All);
        Assert.Equal(SchemaChangeKind.Changed, change.Kind);
        Assert.Equal("function public.add_one(integer)", change.Identity);
        Assert.NotEqual(change.Before, change.After);
    }

    [Fact]
    public async Task A_sequence_increment_changed_is_a_change_of_the_sequence()
    {
        var difference = await RoundTripAsync("CREATE SEQUENCE ticket_numbers INCREMENT 5",
            up: "ALTER SEQUENCE ticket_numbers INCREMENT 10",
            down: "SELECT nextval('ticket_numbers')"); // the current value is data: no difference

        var change = Assert.Single(difference.All);
        Assert.Equal("sequence public.ticket_numbers", change.Identity);
        Assert.Contains("INCREMENT 5", change.Before);
        Assert.Contains("INCREMENT 10", change.After);
    }

    [Fact]
    public async Task The_history_table_and_its_schema_are_ignored()
    {
        var history = new HistoryTable("migrations", "history");
        var createHistory = $"{history.CreateSchemaSql}; {history.CreateSql} INSERT INTO {history.QualifiedName} (version, name) VALUES (1, 'first');";

        var ignored = await RoundTripAsync("CREATE TABLE users (id int)", up: createHistory, down: "SELECT 1", SchemaSnapshotOptions.For(history));
        var elsewhere = await RoundTripAsync("CREATE TABLE users (id int)", up: createHistory, down: "SELECT 1");
        var defaultTable = await RoundTripAsync("CREATE TABLE users (id int)",
            up: new HistoryTable("public", "schema_migrations").CreateSql, down: "SELECT 1");

        Assert.True(ignored.IsEmpty, ignored.Describe());
        Assert.Equal(["schema migrations", "table migrations.history"], elsewhere.Added.Select(c => c.Identity));
        Assert.True(defaultTable.IsEmpty, defaultTable.Describe());
    }

    [Fact]
    public async Task An_extension_appears_but_its_objects_do_not()
    {
        await using var connection = await NewDatabaseAsync("");
        var extension = await AvailableExtensionAsync(connection, "citext", "pgcrypto");
        if (extension is null) return; // no contrib package on this machine
        var before = await SchemaSnapshot.CaptureAsync(connection);

        await ExecuteAsync(connection, $"CREATE EXTENSION {extension}");
        var after = await SchemaSnapshot.CaptureAsync(connection);

        var change = Assert.Single(SchemaSnapshot.Compare(before, after).All);
        Assert.Equal($"extension {extension}", change.Identity);
        Assert.StartsWith("VERSION '", change.After);
        Assert.DoesNotContain(after.Entries, e => e.Kind is SchemaObjectKind.Function or SchemaObjectKind.Type or SchemaObjectKind.Aggregate);
    }

    [Fact]
    public void Describe_lists_at_most_max_lines_and_counts_the_rest()
    {
        var before = SchemaSnapshot.From([]);
        var after = SchemaSnapshot.From(Enumerable.Range(1, 5).Select(i => new SchemaEntry(SchemaObjectKind.Table, $"table public.t{i}", "")));

        var difference = SchemaSnapshot.Compare(before, after);

        Assert.Equal(
            string.Join(Environment.NewLine,
                "table public.t1 is there after the down but was not before the up",
                "table public.t2 is there after the down but was not before the up",
                "… and 3 more"),
            difference.Describe(2));
        Assert.Equal(5, difference.Describe().Split(Environment.NewLine).Length);
    }

    [Fact]
    public void A_long_changed_definition_is_shown_around_what_differs()
    {
        var common = string.Join(" ", Enumerable.Range(1, 30).Select(i => $"column_{i}"));
        var before = SchemaSnapshot.From([new SchemaEntry(SchemaObjectKind.View, "view public.v", $"AS SELECT {common} FROM t WHERE x > 1 ORDER BY {common}")]);
        var after = SchemaSnapshot.From([new SchemaEntry(SchemaObjectKind.View, "view public.v", $"AS SELECT {common} FROM t WHERE x > 2 ORDER BY {common}")]);

        var change = Assert.Single(SchemaSnapshot.Compare(before, after).Changed);

        Assert.Equal("view public.v changed: …column_30 FROM t WHERE x > 1 ORDER BY column_1 column_2… → " +
                     "…column_30 FROM t WHERE x > 2 ORDER BY column_1 column_2…", change.Description);
    }

    [Fact]
    public void Two_entries_with_one_identity_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SchemaSnapshot.From(
        [
            new SchemaEntry(SchemaObjectKind.Table, "table public.t", ""),
            new SchemaEntry(SchemaObjectKind.Table, "table public.t", "UNLOGGED"),
        ]));
    }

    private async Task<SchemaDifference> RoundTripAsync(string setup, string up, string down, SchemaSnapshotOptions? options = null)
    {
        await using var connection = await NewDatabaseAsync(setup);
        var before = await SchemaSnapshot.CaptureAsync(connection, options);
        await ExecuteAsync(connection, up);
        var afterUp = await SchemaSnapshot.CaptureAsync(connection, options);
        await ExecuteAsync(connection, down);
        var afterDown = await SchemaSnapshot.CaptureAsync(connection, options);
        return SchemaSnapshot.CompareRoundTrip(before, afterUp, afterDown);
    }

    private async Task<NpgsqlConnection> NewDatabaseAsync(string setup)
    {
        var connection = new NpgsqlConnection(fixture.NewDatabase());
        await connection.OpenAsync();
        await ExecuteAsync(connection, setup);
        return connection;
    }

    /// <summary>Statement by statement, as the runner sends them (one statement per command whatever Npgsql's SQL rewriting).</summary>
    private static async Task ExecuteAsync(NpgsqlConnection connection, string script)
    {
        var statements = SqlStatementSplitter.Split(script).Statements;
        if (statements.Count == 0) return;
        await using var batch = new NpgsqlBatch(connection);
        foreach (var statement in statements) batch.BatchCommands.Add(new NpgsqlBatchCommand(statement.Text.TrimEnd(';')));
        await batch.ExecuteNonQueryAsync();
    }

    private static async Task<string?> AvailableExtensionAsync(NpgsqlConnection connection, params string[] names)
    {
        await using var command = new NpgsqlCommand("SELECT name FROM pg_available_extensions WHERE name = ANY($1) ORDER BY name", connection)
        {
            Parameters = { new NpgsqlParameter<string[]> { TypedValue = names } },
        };
        return (string?)await command.ExecuteScalarAsync();
    }

    private static string Definition(SchemaSnapshot snapshot, string identity) =>
        snapshot.Find(identity)?.Definition ?? throw new Xunit.Sdk.XunitException(
            $"no entry '{identity}'; the snapshot has:{Environment.NewLine}{string.Join(Environment.NewLine, snapshot.Entries)}");
}
