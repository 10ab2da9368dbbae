using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.LocalDatabase;
using Npgsql;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>
/// The one statement a session opens with: the advisory lock, and whether the history table is of the current
/// format. Only "current" may be trusted without a second look, so every other table must answer false.
/// Against the real PostgreSQL server of this machine.
/// </summary>
public sealed class HistoryTableFormatCheckTests(HistoryTableFormatCheckTests.Cluster cluster)
    : IClassFixture<HistoryTableFormatCheckTests.Cluster>
{
    private readonly string _database = cluster.FreshDatabase();
    private readonly HistoryTable _history = new("public", "schema_migrations");

    /// <summary>One local server for the class; a fresh database for each test.</summary>
    public sealed class Cluster : IDisposable
    {
        private readonly TempDirectory _temp = new();
        private readonly string _root;
        private readonly LocalPostgresCluster _cluster;
        private int _databases;

        public Cluster()
        {
            _root = Path.Combine(_temp.Path, "obj", "migrations-db");
            _cluster = LocalPostgresCluster.EnsureStarted(_root);
        }

        public string FreshDatabase() => _cluster.CreateDatabase($"format_check_{Interlocked.Increment(ref _databases)}");

        public void Dispose()
        {
            LocalPostgresCluster.Delete(_root);
            _temp.Dispose();
        }
    }

    [Fact]
    public void No_table_is_not_the_current_format()
    {
        using var connection = Open();
        Assert.False(_history.IsCurrentFormat(connection, CancellationToken.None));
    }

    [Fact]
    public void The_current_table_is_the_current_format()
    {
        using var connection = Open();
        Execute(connection, _history.CreateSql);
        Assert.True(_history.IsCurrentFormat(connection, CancellationToken.None));
    }

    [Theory]
    [InlineData("CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)")]
    [InlineData("CREATE TABLE schema_migrations (version bigint, name text, checksum text, applied_at timestamptz, execution_ms integer)")]
    [InlineData("CREATE TABLE schema_migrations (version bigint, name text, checksum text, applied_at timestamptz, execution_ms integer, dirty boolean, note text)")]
    [InlineData("CREATE TABLE schema_migrations (version bigint, name text, checksum text, applied_at timestamptz, execution_ms integer, \"Dirty\" boolean)")]
    public void Any_other_table_is_not_the_current_format(string create)
    {
        using var connection = Open();
        Execute(connection, create);
        Assert.False(_history.IsCurrentFormat(connection, CancellationToken.None));
    }

    [Fact]
    public void A_dropped_column_does_not_count()
    {
        using var connection = Open();
        Execute(connection, _history.CreateSql);
        Execute(connection, "ALTER TABLE schema_migrations ADD COLUMN extra text");
        Execute(connection, "ALTER TABLE schema_migrations DROP COLUMN extra");
        Assert.True(_history.IsCurrentFormat(connection, CancellationToken.None));
    }

    [Fact]
    public async Task The_run_lock_is_exclusive_shows_in_pg_locks_and_is_gone_with_its_holder()
    {
        var settings = ConnectionSettings.Parse(_database, "test");
        var log = new RecordingLog();
        using var probe = Open();
        bool Held()
        {
            using var command = new NpgsqlCommand("SELECT " + RunLock.HeldSql(_history.LockKey), probe);
            return (bool)command.ExecuteScalar()!;
        }

        Assert.False(Held());
        var first = RunLock.Acquire(settings, _history.LockKey, TimeSpan.FromSeconds(5), log, _history.DisplayName, CancellationToken.None);
        Assert.True(Held());
        var timeout = Assert.Throws<LockTimeoutException>(() =>
            RunLock.Acquire(settings, _history.LockKey, TimeSpan.FromSeconds(1), log, _history.DisplayName, CancellationToken.None));
        Assert.Contains("another migration run still holds the lock on public.schema_migrations after 1 s", timeout.Message);
        Assert.Contains(log.Infos, i => i.StartsWith("Waiting for another migration run to finish", StringComparison.Ordinal));

        first.Dispose();
        Assert.True(await TestSql.WaitUntil(() => !Held()), "the lock outlived its holder");
        using var second = RunLock.Acquire(settings, _history.LockKey, TimeSpan.FromSeconds(1), log, _history.DisplayName, CancellationToken.None);
        Assert.True(Held());
    }

    private NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_database) { Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
