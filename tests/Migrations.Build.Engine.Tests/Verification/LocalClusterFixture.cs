using Migrations.Build.Engine.LocalDatabase;
using Npgsql;

namespace Migrations.Build.Engine.Tests.Verification;

/// <summary>One throwaway PostgreSQL cluster for a test class (IClassFixture), with a fresh database per test; deleted in Dispose.</summary>
public sealed class LocalClusterFixture : IDisposable
{
    private readonly TempDirectory _temp = new();
    private int _databases;

    public LocalClusterFixture()
    {
        Cluster = LocalPostgresCluster.EnsureStarted(Path.Combine(_temp.Path, "migrations-db"));
    }

    public LocalPostgresCluster Cluster { get; }

    /// <summary>A new empty database; its connection string, unpooled so no session outlives the test.</summary>
    public string NewDatabase()
    {
        var name = "t" + Interlocked.Increment(ref _databases);
        var builder = new NpgsqlConnectionStringBuilder(Cluster.CreateDatabase(name)) { Pooling = false };
        return builder.ConnectionString;
    }

    public void Dispose()
    {
        try
        {
            LocalPostgresCluster.Delete(Cluster.DataRoot);
        }
        finally
        {
            _temp.Dispose();
        }
    }
}
