using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.LocalDatabase;
using Npgsql;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>What a run logged, for the runner tests to assert on.</summary>
internal sealed class RecordingLog : IMigrationLog
{
    public List<string> Infos { get; } = [];
    public List<MigrationDiagnostic> Diagnostics { get; } = [];

    public void Info(string message)
    {
        lock (Infos) Infos.Add(message);
    }

    public void Detail(string message) { }

    public void Report(MigrationDiagnostic diagnostic)
    {
        lock (Diagnostics) Diagnostics.Add(diagnostic);
    }
}

/// <summary>
/// A runner test's own throwaway cluster (the product's local database, under a temp folder), deleted with it,
/// and a fresh database with a migrations folder of its own per case.
/// </summary>
public abstract class ClusterTest : IDisposable
{
    protected TempDirectory Temp { get; } = new();

    protected string Root => Path.Combine(Temp.Path, "obj", "migrations-db");

    protected LocalPostgresCluster Cluster => _cluster ??= LocalPostgresCluster.EnsureStarted(Root);

    private LocalPostgresCluster? _cluster;

    /// <summary>A new database named <paramref name="name"/>, and an empty folder of that name for its migrations.</summary>
    protected (string Database, string Folder) Setup(string name) =>
        (Cluster.CreateDatabase(name), Directory.CreateDirectory(Path.Combine(Temp.Path, name)).FullName);

    protected static MigrationSet Load(string folder) => MigrationSetLoader.Load(new MigrationSetOptions(folder) { RequireDown = false });

    public void Dispose()
    {
        LocalPostgresCluster.Delete(Root);
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A test's own look at the database, on sessions of its own (application name "test", unpooled).</summary>
internal static class TestSql
{
    public static void Execute(string connectionString, string sql)
    {
        using var connection = Open(connectionString);
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public static long Scalar(string connectionString, string sql)
    {
        using var connection = Open(connectionString);
        using var command = new NpgsqlCommand(sql, connection);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The runner's sessions (application name Migrations.Build) that meet <paramref name="condition"/>.</summary>
    public static long RunnerSessions(string connectionString, string condition) =>
        Scalar(connectionString, $"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'Migrations.Build' AND {condition}");

    /// <summary>Polls for up to 10 s.</summary>
    public static async Task<bool> WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (condition()) return true;
            await Task.Delay(100);
        }
        return false;
    }

    private static NpgsqlConnection Open(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "test" }.ConnectionString);
        connection.Open();
        return connection;
    }
}
