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

[CollectionDefinition(Name)]
public sealed class DatabaseCollection : ICollectionFixture<PackageFixture>, ICollectionFixture<DatabaseFixture>
{
    public const string Name = "database";
}
