using Npgsql;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// The history table (schema_migrations by default): one row per applied migration. Also recognises a
/// golang-migrate table (a single row: version, dirty) and converts it in place, keeping its state.
/// </summary>
public sealed class HistoryTable
{
    public HistoryTable(string schema, string table)
    {
        Schema = schema;
        Table = table;
        QualifiedName = SqlIdentifier.Quote(schema) + "." + SqlIdentifier.Quote(table);
    }

    public const string DefaultSchema = "public";
    public const string DefaultTable = "schema_migrations";

    public string Schema { get; }
    public string Table { get; }

    /// <summary>Quoted "schema"."table", safe to put in SQL.</summary>
    public string QualifiedName { get; }

    public string DisplayName => Schema + "." + Table;

    /// <summary>
    /// The schema and table as the project wrote them, when folding them to lower case changed them (MigrationsSchema=Public).
    /// Earlier versions kept such names as written: a history table there must not be silently left behind.
    /// </summary>
    public (string Schema, string Table)? AsWritten { get; init; }

    /// <summary>Key of the advisory lock that serialises runs against this table (<see cref="RunLock"/>).</summary>
    public long LockKey => KeyOf("Migrations.Build:" + DisplayName);

    /// <summary>
    /// Key of the transaction-scoped lock each migration's own transaction takes before it checks that no other run
    /// applied it meanwhile: a second line of defence that holds whatever the pooler or a crashed run did.
    /// </summary>
    public long MigrationLockKey => KeyOf("Migrations.Build:migration:" + DisplayName);

    private static long KeyOf(string text) =>
        BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)), 0);

    /// <summary>What every migration's transaction calls first: waits for any other transaction applying one.</summary>
    public string LockMigrationsCall => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pg_advisory_xact_lock({MigrationLockKey})");

    /// <summary>
    /// Fails (division by zero) if another run recorded <paramref name="version"/> (applying) or removed it (rolling
    /// back) since this run read the history, or if <paramref name="previous"/> (the migration before it in a
    /// pipelined batch) did not commit. After <see cref="LockMigrationsCall"/>, in a statement of its own, so that its
    /// snapshot sees what the transaction it waited for committed.
    /// </summary>
    public NpgsqlBatchCommand Claim(long version, long? previous, bool applying)
    {
        var present = $"EXISTS (SELECT 1 FROM {QualifiedName} WHERE version = $1)";
        var previousDone = previous is null ? "" : $"{(applying ? "" : "NOT ")}EXISTS (SELECT 1 FROM {QualifiedName} WHERE version = $2) AND ";
        var command = new NpgsqlBatchCommand($"SELECT 1 / (CASE WHEN {previousDone}{(applying ? "NOT " : "")}{present} THEN 1 ELSE 0 END)")
        {
            Parameters = { new NpgsqlParameter<long> { TypedValue = version } },
        };
        if (previous is { } p) command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p });
        return command;
    }

    public string CreateSchemaSql => $"CREATE SCHEMA IF NOT EXISTS {SqlIdentifier.Quote(Schema)}";

    public string CreateSql =>
        $"CREATE TABLE IF NOT EXISTS {QualifiedName} (\n" +
        "    version bigint PRIMARY KEY,\n" +
        "    name text,\n" +
        "    checksum text,\n" +
        "    applied_at timestamptz NOT NULL DEFAULT now(),\n" +
        "    execution_ms integer,\n" +
        "    dirty boolean NOT NULL DEFAULT false\n" +
        ");";

    /// <summary>Name of the column the history changes return: tells their result sets from those of a migration's own SELECTs.</summary>
    public const string ElapsedColumn = "migrations_build_elapsed_ms";

    /// <summary>
    /// Transaction-local setting that marks where a migration began when several share one transaction
    /// (MigrationTransactionMode=all). Unset, or reset to '' after an earlier transaction, it means "at BEGIN".
    /// </summary>
    public const string MigrationStartSetting = "migrations_build.migration_start";

    /// <summary>
    /// The server's own milliseconds for the migration: since its start mark if it has one, else since the
    /// transaction began (now() is its start), which for a transaction per migration is the same thing.
    /// </summary>
    public const string TransactionMsSql =
        $"(extract(epoch FROM clock_timestamp() - coalesce(nullif(current_setting('{MigrationStartSetting}', true), '')::timestamptz, now())) * 1000)::integer";

    public string InsertAppliedSql =>
        $"INSERT INTO {QualifiedName} (version, name, checksum, applied_at, execution_ms, dirty) " +
        $"VALUES ($1, $2, $3, clock_timestamp(), {TransactionMsSql}, false) RETURNING execution_ms AS {ElapsedColumn}";

    public string DeleteSql => $"DELETE FROM {QualifiedName} WHERE version = $1 RETURNING {TransactionMsSql} AS {ElapsedColumn}";

    /// <summary>
    /// Makes sure the table exists in the current format, converting a golang-migrate table; returns the
    /// golang-migrate state it converted, if any, so the caller can say so. With <paramref name="readOnly"/>
    /// nothing is created or converted (MigrateStatus and friends change nothing): the state is only read.
    /// </summary>
    public async Task<HistoryState> EnsureAsync(NpgsqlConnection connection, IReadOnlyList<Migration> migrations, bool readOnly, CancellationToken cancel)
    {
        var columns = ReadColumns(connection, cancel);
        if (columns.Count == 0)
        {
            RefuseTableAsWritten(connection, cancel);
            RefuseGolangMigrateTableElsewhere(connection, cancel);
            if (readOnly) return new HistoryState(Exists: false, null);
            // CREATE SCHEMA needs CREATE on the database even when the schema exists: only ask for it when missing,
            // so a deploy user that owns its schema but not the database still works.
            await using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", connection)
            {
                Parameters = { new NpgsqlParameter<string> { TypedValue = Schema } },
            })
            {
                if (!(bool)(await exists.ExecuteScalarAsync(cancel))!)
                {
                    await using var createSchema = new NpgsqlCommand(CreateSchemaSql, connection);
                    await createSchema.ExecuteNonQueryAsync(cancel);
                }
            }
            await using var create = new NpgsqlCommand(CreateSql, connection);
            await create.ExecuteNonQueryAsync(cancel);
            return new HistoryState(Exists: true, null);
        }

        if (IsCurrentFormat(columns)) return new HistoryState(Exists: true, null);
        if (columns.SetEquals(GolangMigrateColumns))
        {
            var legacy = await ReadGolangMigrateStateAsync(connection, cancel);
            if (!readOnly) await ConvertGolangMigrateTableAsync(connection, migrations, legacy, cancel);
            return new HistoryState(Exists: true, legacy, Converted: !readOnly);
        }

        throw new HistoryTableException(
            $"{DisplayName} exists but is not a history table this tool knows (columns: {string.Join(", ", columns.Order())}): " +
            "set MigrationsTable to another name, or rename that table");
    }

    /// <summary>
    /// golang-migrate keeps its table in the connection's current schema (a search_path in the URL moves it). With
    /// no history here but a golang-migrate table of this name there, starting a new history would run every
    /// migration again: refuse, and say how to adopt that table instead.
    /// </summary>
    /// <summary>
    /// The folded name has no table, but the name as written does (created by a version that did not fold case):
    /// starting a new, empty history would run every migration again. Say how to keep using it.
    /// </summary>
    private void RefuseTableAsWritten(NpgsqlConnection connection, CancellationToken cancel)
    {
        if (AsWritten is not { } written) return;
        var quoted = SqlIdentifier.Quote(written.Schema) + "." + SqlIdentifier.Quote(written.Table);
        using var command = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection)
        {
            Parameters = { new NpgsqlParameter<string> { TypedValue = quoted } },
        };
        using var cancelling = cancel.Register(command.Cancel);
        if (command.ExecuteScalar() is not true) return;
        throw new HistoryTableException(
            $"{DisplayName} does not exist, but {quoted} does: unquoted, MigrationsSchema and MigrationsTable are folded to lower case as " +
            "PostgreSQL folds unquoted names, and older versions of this tool kept their case. To keep using that history table, " +
            "write the names in double quotes (<MigrationsSchema>\"" + written.Schema + "\"</MigrationsSchema>" +
            (written.Table != Table ? ", <MigrationsTable>\"" + written.Table + "\"</MigrationsTable>" : "") +
            "; on the command line -p:MigrationsSchema=%22" + written.Schema + "%22, as MSBuild takes bare quotes off), or rename them to lower case; nothing was run");
    }

    private void RefuseGolangMigrateTableElsewhere(NpgsqlConnection connection, CancellationToken cancel)
    {
        using var command = new NpgsqlCommand(
            "SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE c.relname = $1 AND n.nspname = current_schema() AND n.nspname <> $2 AND c.relkind IN ('r', 'p') " +
            $"AND ARRAY(SELECT attname::text {ColumnsOf("c.oid")} ORDER BY attname) = ARRAY[{GolangMigrateColumnsSqlList}]", connection)
        {
            Parameters = { new NpgsqlParameter<string> { TypedValue = Table }, new NpgsqlParameter<string> { TypedValue = Schema } },
        };
        using var cancelling = cancel.Register(command.Cancel);
        if (command.ExecuteScalar() is not string schema) return;
        throw new HistoryTableException(
            $"{DisplayName} does not exist, but this connection's current schema has a golang-migrate table of that name, " +
            $"{SqlIdentifier.Quote(schema)}.{SqlIdentifier.Quote(Table)}: to adopt it (converted in place, its state kept), set MigrationsSchema={schema}; " +
            "to start a new history anyway, rename or drop that table");
    }

    /// <summary>
    /// The rows a golang-migrate state stands for, without converting it: every migration of the folder up to
    /// its version, and that version itself even when its file is not here.
    /// </summary>
    public static List<AppliedMigration> RowsOf(LegacyState legacy, IReadOnlyList<Migration> migrations)
    {
        if (legacy.Version is not { } version) return [];
        var rows = migrations.Where(m => m.Version < version)
            .Select(m => new AppliedMigration(m.Version, m.Name, m.Up?.Checksum, null, null, false)).ToList();
        var current = migrations.FirstOrDefault(m => m.Version == version);
        rows.Add(new AppliedMigration(version, current?.Name, current?.Up?.Checksum, null, null, legacy.Dirty));
        return rows;
    }

    private static readonly string[] CurrentColumns = ["version", "name", "checksum", "applied_at", "execution_ms", "dirty"];
    private static readonly string CurrentColumnsSqlList = string.Join(", ", CurrentColumns.Select(SqlLiteral.Quote));

    /// <summary>golang-migrate's table, in name order.</summary>
    private static readonly string[] GolangMigrateColumns = ["dirty", "version"];
    private static readonly string GolangMigrateColumnsSqlList = string.Join(", ", GolangMigrateColumns.Select(SqlLiteral.Quote));

    /// <summary>Whether a table with these columns is a history table of the current format.</summary>
    private static bool IsCurrentFormat(IReadOnlySet<string> columns) => columns.SetEquals(CurrentColumns);

    /// <summary>The rows, oldest version first. Synchronous: it belongs to a session's opening (see <see cref="IsCurrentFormat"/>).</summary>
    /// <param name="cancel">Cancels the query on the server (a synchronous call does not watch the token itself).</param>
    public List<AppliedMigration> Read(NpgsqlConnection connection, CancellationToken cancel)
    {
        var rows = new List<AppliedMigration>();
        using var command = new NpgsqlCommand(
            $"SELECT version, name, checksum, applied_at, execution_ms, dirty FROM {QualifiedName} ORDER BY version", connection);
        using var cancelling = cancel.Register(command.Cancel);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new AppliedMigration(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4),
                reader.GetBoolean(5)));
        }
        return rows;
    }

    public NpgsqlBatchCommand InsertApplied(Migration migration) => new(InsertAppliedSql)
    {
        Parameters =
        {
            new NpgsqlParameter<long> { TypedValue = migration.Version },
            new NpgsqlParameter<string> { TypedValue = migration.Name },
            new NpgsqlParameter<string> { TypedValue = migration.Up!.Checksum },
        },
    };

    public NpgsqlBatchCommand Delete(long version) => new(DeleteSql)
    {
        Parameters = { new NpgsqlParameter<long> { TypedValue = version } },
    };

    /// <summary>Row of a non-transactional migration before it runs: dirty until its last statement succeeded.</summary>
    /// <summary>
    /// Marks a non-transactional migration's row dirty before it runs (inserted when applying, updated when rolling
    /// back), under the migration lock; false when another run did it meanwhile (the row is already there, or already
    /// gone), in which case nothing was changed.
    /// </summary>
    public async Task<bool> MarkDirtyAsync(NpgsqlConnection connection, Migration migration, bool applying, CancellationToken cancel)
    {
        var mark = applying
            ? new NpgsqlBatchCommand($"INSERT INTO {QualifiedName} (version, name, checksum, applied_at, dirty) VALUES ($1, $2, $3, clock_timestamp(), true) " +
                                     "ON CONFLICT (version) DO NOTHING RETURNING 1")
            {
                Parameters =
                {
                    new NpgsqlParameter<long> { TypedValue = migration.Version },
                    new NpgsqlParameter<string> { TypedValue = migration.Name },
                    new NpgsqlParameter<string> { TypedValue = migration.Up!.Checksum },
                },
            }
            : new NpgsqlBatchCommand($"UPDATE {QualifiedName} SET dirty = true, applied_at = clock_timestamp() WHERE version = $1 RETURNING 1")
            {
                Parameters = { new NpgsqlParameter<long> { TypedValue = migration.Version } },
            };
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { new("BEGIN"), new("SELECT " + LockMigrationsCall), mark, new("COMMIT") } };
        var marked = false;
        await using (var reader = await batch.ExecuteReaderAsync(cancel))
        {
            do
            {
                if (reader.FieldCount == 1 && reader.GetName(0) == "?column?" && await reader.ReadAsync(cancel)) marked = true;
            }
            while (await reader.NextResultAsync(cancel));
        }
        return marked;
    }

    public async Task MarkCleanAsync(NpgsqlConnection connection, long version, int executionMs, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand(
            $"UPDATE {QualifiedName} SET dirty = false, execution_ms = $2, applied_at = clock_timestamp() WHERE version = $1", connection)
        {
            Parameters =
            {
                new NpgsqlParameter<long> { TypedValue = version },
                new NpgsqlParameter<int> { TypedValue = executionMs },
            },
        };
        await command.ExecuteNonQueryAsync(cancel);
    }

    /// <summary>Records the file's checksum (and name) for an applied version (MigrateForce of a migration finished by hand).</summary>
    public NpgsqlBatchCommand RecordChecksum(Migration migration) => new($"UPDATE {QualifiedName} SET name = $2, checksum = $3 WHERE version = $1")
    {
        Parameters =
        {
            new NpgsqlParameter<long> { TypedValue = migration.Version },
            new NpgsqlParameter<string> { TypedValue = migration.Name },
            new NpgsqlParameter<string> { TypedValue = migration.Up!.Checksum },
        },
    };

    /// <summary>Records versions as applied without running them (MigrateForce, MigrateBaseline).</summary>
    public NpgsqlBatchCommand InsertRecorded(Migration migration, bool dirty = false) => new(
        $"INSERT INTO {QualifiedName} (version, name, checksum, applied_at, execution_ms, dirty) VALUES ($1, $2, $3, clock_timestamp(), NULL, $4) " +
        "ON CONFLICT (version) DO UPDATE SET dirty = EXCLUDED.dirty")
    {
        Parameters =
        {
            new NpgsqlParameter<long> { TypedValue = migration.Version },
            new NpgsqlParameter<string> { TypedValue = migration.Name },
            new NpgsqlParameter<string> { TypedValue = migration.Up!.Checksum },
            new NpgsqlParameter<bool> { TypedValue = dirty },
        },
    };

    /// <summary>Whether the table is of the current format, in one statement (exactly the current columns).</summary>
    /// <remarks>
    /// Read without the run lock: "current format" still holds once locked (no run alters a current table); any
    /// other answer (no table, golang-migrate's) is only a hint, and <see cref="EnsureAsync"/> reads the columns anew
    /// under the lock before acting. Synchronous on purpose: in a fresh MSBuild process the machinery of an async
    /// call costs more JIT time than a loopback round trip waits, and a session opens on a thread of its own anyway.
    /// </remarks>
    /// <param name="cancel">Cancels the statement on the server (a synchronous call does not watch the token itself).</param>
    public bool IsCurrentFormat(NpgsqlConnection connection, CancellationToken cancel)
    {
        using var command = new NpgsqlCommand(
            $"SELECT (SELECT count(*) = {CurrentColumns.Length} AND " +
            $"count(*) FILTER (WHERE attname IN ({CurrentColumnsSqlList})) = {CurrentColumns.Length} {ColumnsFromWhere})", connection);
        using var cancelling = cancel.Register(command.Cancel);
        return (bool)command.ExecuteScalar()!;
    }

    private string ColumnsFromWhere => ColumnsOf($"to_regclass({SqlLiteral.Quote(QualifiedName)})");

    // pg_catalog, not information_schema: its views cost milliseconds on every run.
    private static string ColumnsOf(string relation) =>
        $"FROM pg_catalog.pg_attribute WHERE attrelid = {relation} AND attnum > 0 AND NOT attisdropped";

    /// <summary>The columns (none when there is no table). Synchronous, like the rest of a session's opening.</summary>
    private HashSet<string> ReadColumns(NpgsqlConnection connection, CancellationToken cancel)
    {
        using var command = new NpgsqlCommand("SELECT attname " + ColumnsFromWhere, connection);
        using var cancelling = cancel.Register(command.Cancel);
        using var reader = command.ExecuteReader();
        var columns = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) columns.Add(reader.GetString(0));
        return columns;
    }

    private async Task<LegacyState> ReadGolangMigrateStateAsync(NpgsqlConnection connection, CancellationToken cancel)
    {
        await using var read = new NpgsqlCommand($"SELECT version, dirty FROM {QualifiedName} ORDER BY version DESC LIMIT 1", connection);
        await using var reader = await read.ExecuteReaderAsync(cancel);
        return await reader.ReadAsync(cancel) ? new LegacyState(reader.GetInt64(0), reader.GetBoolean(1)) : new LegacyState(null, false);
    }

    /// <summary>
    /// What a converted golang-migrate table is renamed to. PostgreSQL would cut a name at 63 bytes (these are
    /// ASCII): shorten it ourselves, so the name reported is the real one and never the history table's own.
    /// </summary>
    public string GolangMigrateBackup
    {
        get
        {
            var name = Table + "_golang_migrate_backup";
            return name.Length <= MaxIdentifierLength ? name : Table[..Math.Min(Table.Length, MaxIdentifierLength - ShortBackupSuffix.Length)] + ShortBackupSuffix;
        }
    }

    private const int MaxIdentifierLength = 63;
    private const string ShortBackupSuffix = "_gm_backup";

    /// <summary>
    /// golang-migrate keeps one row: the current version and whether it is dirty. Every version up to it counts
    /// as applied (with today's checksums of the files, the best knowledge there is), and the version itself is
    /// recorded even when its file is not in this checkout. The old table is kept, renamed, as a backup.
    /// </summary>
    private async Task ConvertGolangMigrateTableAsync(NpgsqlConnection connection, IReadOnlyList<Migration> migrations, LegacyState legacy, CancellationToken cancel)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancel);
        var backup = SqlIdentifier.Quote(GolangMigrateBackup);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"ALTER TABLE {QualifiedName} RENAME TO {backup}"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(CreateSql));
        foreach (var row in RowsOf(legacy, migrations))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"INSERT INTO {QualifiedName} (version, name, checksum, applied_at, execution_ms, dirty) VALUES ($1, $2, $3, clock_timestamp(), NULL, $4)")
            {
                Parameters =
                {
                    new NpgsqlParameter<long> { TypedValue = row.Version },
                    new NpgsqlParameter<string?> { TypedValue = row.Name },
                    new NpgsqlParameter<string?> { TypedValue = row.Checksum },
                    new NpgsqlParameter<bool> { TypedValue = row.Dirty },
                },
            });
        }
        await batch.ExecuteNonQueryAsync(cancel);
        await transaction.CommitAsync(cancel);
    }

    /// <summary>Whether the history table exists, and the golang-migrate state found in it (converted or only read).</summary>
    public sealed record HistoryState(bool Exists, LegacyState? Legacy, bool Converted = false);

    public sealed record LegacyState(long? Version, bool Dirty);
}

public sealed class HistoryTableException(string message) : Exception(message);
