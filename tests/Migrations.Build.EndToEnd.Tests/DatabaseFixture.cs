using Migrations.Build.Engine.LocalDatabase;
using Npgsql;

namespace Migrations.Build.EndToEnd.Tests;

/// <summary>
/// One throwaway PostgreSQL cluster for the test run (the product's own local-database fixture), and a
/// fresh database per test in it.
/// </summary>
public sealed class DatabaseFixture : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mb-e2e-pg-" + Guid.NewGuid().ToString("N")[..8]);

    public DatabaseFixture()
    {
        Cluster = LocalPostgresCluster.EnsureStarted(_root);
    }

    public LocalPostgresCluster Cluster { get; }

    /// <summary>A new empty database; its connection string.</summary>
    public string NewDatabase()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..12];
        Cluster.CreateDatabase(name);
        return Cluster.ConnectionString(name);
    }

    public static T Scalar<T>(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return (T)command.ExecuteScalar()!;
    }

    public static List<object[]> Rows(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>One command per statement: the engine (loaded in this process) turns off Npgsql's own statement splitting.</summary>
    public static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        foreach (var statement in Engine.Sql.SqlStatementSplitter.Split(sql).Statements)
        {
            using var command = new NpgsqlCommand(statement.Text, connection);
            command.ExecuteNonQuery();
        }
    }

    public static bool TableExists(string connectionString, string table) =>
        Scalar<bool>(connectionString, $"SELECT to_regclass('{table}') IS NOT NULL");

    public void Dispose()
    {
        try { LocalPostgresCluster.Delete(_root); } catch (LocalDatabaseException) { }
    }
}

// Tests in one xunit collection run one after another; collections run side by side (as many at once as the
// machine has cores). The database tests are ~60% of the suite's time, so they are spread over four
// collections. Each collection has its own cluster: roles and settings one test makes never meet another's.

[CollectionDefinition(Name)]
public sealed class DatabaseCollection : ICollectionFixture<PackageFixture>, ICollectionFixture<DatabaseFixture>
{
    public const string Name = "database";
}

[CollectionDefinition(Name)]
public sealed class ApplyCollection : ICollectionFixture<PackageFixture>, ICollectionFixture<DatabaseFixture>
{
    public const string Name = "database: apply";
}

[CollectionDefinition(Name)]
public sealed class ApplyCommandCollection : ICollectionFixture<PackageFixture>, ICollectionFixture<DatabaseFixture>
{
    public const string Name = "database: apply commands";
}

[CollectionDefinition(Name)]
public sealed class ConnectionCollection : ICollectionFixture<PackageFixture>, ICollectionFixture<DatabaseFixture>
{
    public const string Name = "database: connection";
}
