using Migrations.Build.Engine.Database;
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
