namespace Migrations.Build.Engine;

/// <summary>
/// The SQL that MigrateCreate writes. These are the templates teams used with the seed skill, corrected:
/// an index built CONCURRENTLY runs outside BEGIN/COMMIT (PostgreSQL refuses it inside a transaction),
/// new columns are nullable or defaulted, and down scripts do not CASCADE. Table and column names come from the
/// migration's name (<see cref="MigrationNameParts"/>); where the name does not tell them, the SQL says
/// <see cref="TablePlaceholder"/> or <see cref="ColumnPlaceholder"/>, which PostgreSQL refuses and the build
/// reports (MIG119) until they are replaced, rather than a made-up name that passes the build.
/// </summary>
public static class MigrationTemplates
{
    public const string Default = "default";
    public const string CreateTable = "create-table";
    public const string AddColumn = "add-column";
    public const string AddIndex = "add-index";

    public static IReadOnlyList<string> Names { get; } = [Default, CreateTable, AddColumn, AddIndex];

    public static bool Exists(string name) => Names.Contains(name, StringComparer.Ordinal);

    public const string TablePlaceholder = "<table>";
    public const string ColumnPlaceholder = "<column>";

    public static (string Up, string? Down) Render(string template, string name, DateTime createdUtc)
    {
        var header = $"-- Migration: {name}\n-- Created: {createdUtc:yyyy-MM-dd HH:mm:ss} UTC\n\n";
        var downHeader = $"-- Rollback: {name}\n-- Created: {createdUtc:yyyy-MM-dd HH:mm:ss} UTC\n\n";
        var (up, down) = template switch
        {
            CreateTable => CreateTableBody(name),
            AddColumn => AddColumnBody(name),
            AddIndex => AddIndexBody(name),
            _ => DefaultBody(),
        };
        return (header + up, downHeader + down);
    }

    private static (string, string) DefaultBody() => (
        """
        BEGIN;

        -- TODO: write the schema change here.

        COMMIT;

        """,
        """
        BEGIN;

        -- TODO: undo exactly what the up migration does.

        COMMIT;

        """);

    private static (string, string) CreateTableBody(string name)
    {
        var derived = MigrationNameParts.TableToCreate(name);
        var table = derived ?? TablePlaceholder;
        var todo = derived is null ? $"-- TODO: replace {TablePlaceholder} with the table's name (a name like create_orders fills it in).\n" : "";
        return CreateTableBody(table, todo);
    }

    private static (string, string) CreateTableBody(string table, string todo) => (
        $"""
        BEGIN;

        {todo}CREATE TABLE {table} (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            name VARCHAR(255) NOT NULL,
            description TEXT,
            config JSONB,
            tags TEXT[],
            created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
            created_by VARCHAR(100),
            deleted_at TIMESTAMPTZ
        );

        -- The table is new and empty: plain CREATE INDEX is right here, CONCURRENTLY is not needed.
        CREATE INDEX idx_{table}_created_at ON {table} (created_at DESC);
        CREATE INDEX idx_{table}_tags ON {table} USING GIN (tags);
        CREATE INDEX idx_{table}_deleted_at ON {table} (deleted_at) WHERE deleted_at IS NULL;

        COMMIT;

        """,
        $"""
        BEGIN;

        -- No CASCADE: it would silently drop views and foreign keys of other tables too.
        DROP TABLE IF EXISTS {table};

        COMMIT;

        """);

    private static (string, string) AddColumnBody(string name)
    {
        var (derivedTable, derivedColumn) = MigrationNameParts.ColumnToAdd(name);
        var table = derivedTable ?? TablePlaceholder;
        var column = derivedColumn ?? ColumnPlaceholder;
        var todo = derivedTable is null || derivedColumn is null
            ? $"-- TODO: replace {TablePlaceholder} and {ColumnPlaceholder} (a name like add_status_to_orders fills them in).\n"
            : "";
        return (
            $"""
            BEGIN;

            {todo}-- Nullable, or NOT NULL with a DEFAULT: NOT NULL without a default fails on a table that has rows.
            ALTER TABLE {table}
                ADD COLUMN {column} TEXT;

            COMMIT;

            -- To index the column, add an index migration of its own (MigrationTemplate=add-index):
            -- CREATE INDEX CONCURRENTLY cannot run inside BEGIN/COMMIT.

            """,
            $"""
            BEGIN;

            ALTER TABLE {table}
                DROP COLUMN IF EXISTS {column};

            COMMIT;

            """);
    }

    private static (string, string) AddIndexBody(string name)
    {
        var (derivedTable, columns, indexName) = MigrationNameParts.IndexTarget(name);
        var table = derivedTable ?? TablePlaceholder;
        var columnList = columns is null ? ColumnPlaceholder : string.Join(", ", columns);
        var index = indexName ?? $"idx_{TablePlaceholder}_{ColumnPlaceholder}";
        var todo = derivedTable is null || columns is null
            ? "-- TODO: replace the placeholders in <> (a name like add_index_orders_on_status fills them in).\n"
            : "";
        return (
            $"""
            -- migrate:no-transaction
            -- CREATE INDEX CONCURRENTLY does not block writes, but PostgreSQL refuses it inside a
            -- transaction, so this migration has no BEGIN/COMMIT and runs outside one.
            {todo}
            CREATE INDEX CONCURRENTLY IF NOT EXISTS {index}
                ON {table} ({columnList});

            """,
            $"""
            -- migrate:no-transaction

            DROP INDEX CONCURRENTLY IF EXISTS {index};

            """);
    }
}
