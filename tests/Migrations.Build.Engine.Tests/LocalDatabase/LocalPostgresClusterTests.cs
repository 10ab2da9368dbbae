using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Migrations.Build.Engine.LocalDatabase;
using Npgsql;

namespace Migrations.Build.Engine.Tests.LocalDatabase;

/// <summary>Against the real PostgreSQL server of this machine. Every cluster is deleted (and so stopped) in Dispose.</summary>
public sealed class LocalPostgresClusterTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly List<string> _roots = [];

    public void Dispose()
    {
        foreach (var root in _roots) LocalPostgresCluster.Delete(root);
        _temp.Dispose();
    }

    [Fact]
    public void Creates_and_starts_a_cluster_that_accepts_connections()
    {
        var cluster = LocalPostgresCluster.EnsureStarted(NewRoot());

        Assert.True(cluster.StartedNow);
        Assert.True(cluster.CreatedNow);
        Assert.Equal("127.0.0.1", cluster.Host);
        Assert.Equal("postgres", cluster.Username);
        Assert.InRange(cluster.Port, 1, 65535);
        Assert.Equal(1, Scalar<int>(cluster.ConnectionString(), "SELECT 1"));
        var version = Scalar<string>(cluster.ConnectionString(), "SHOW server_version");
        Assert.StartsWith(cluster.ServerMajorVersion + ".", version);
    }

    [Fact]
    public void A_running_cluster_is_reused()
    {
        var root = NewRoot();
        var first = LocalPostgresCluster.EnsureStarted(root);

        var again = Stopwatch.StartNew();
        var second = LocalPostgresCluster.EnsureStarted(root);
        again.Stop();

        Assert.False(second.StartedNow);
        Assert.False(second.CreatedNow);
        Assert.Equal(first.Port, second.Port);
        Assert.Equal(first.DataDirectory, second.DataDirectory);
        Assert.True(again.Elapsed < TimeSpan.FromSeconds(2), $"reuse took {again.Elapsed}");
        Assert.Equal(1, Scalar<int>(second.ConnectionString(), "SELECT 1"));
    }

    [Fact]
    public void A_stopped_cluster_restarts_on_its_port_with_its_data()
    {
        var root = NewRoot();
        var first = LocalPostgresCluster.EnsureStarted(root);
        Execute(first.ConnectionString(), "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)");

        Assert.True(LocalPostgresCluster.Stop(root));
        Assert.False(LocalPostgresCluster.Stop(root));
        Assert.False(CanConnect(first.ConnectionString()));

        var restarted = LocalPostgresCluster.EnsureStarted(root);

        Assert.True(restarted.StartedNow);
        Assert.False(restarted.CreatedNow);
        Assert.Equal(first.Port, restarted.Port);
        Assert.Equal(42, Scalar<int>(restarted.ConnectionString(), "SELECT id FROM kept"));
    }

    [Fact]
    public void A_restart_moves_to_a_new_port_when_the_old_one_is_taken()
    {
        var root = NewRoot();
        var first = LocalPostgresCluster.EnsureStarted(root);
        first.Stop();
        var squatter = new TcpListener(IPAddress.Loopback, first.Port);
        squatter.Start();
        try
        {
            var restarted = LocalPostgresCluster.EnsureStarted(root);

            Assert.True(restarted.StartedNow);
            Assert.NotEqual(first.Port, restarted.Port);
            Assert.Equal(1, Scalar<int>(restarted.ConnectionString(), "SELECT 1"));
            Assert.Equal(restarted.Port, LocalPostgresCluster.EnsureStarted(root).Port);
        }
        finally
        {
            squatter.Stop();
        }
    }

    [Fact]
    public async Task Concurrent_callers_on_a_fresh_root_share_one_cluster()
    {
        var root = NewRoot();
        using var gate = new Barrier(2);

        // Own threads, not pool threads: blocking two pool threads at the barrier would wait for the pool to grow.
        var calls = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            gate.SignalAndWait();
            return LocalPostgresCluster.EnsureStarted(root);
        }, TaskCreationOptions.LongRunning));
        var clusters = await Task.WhenAll(calls);

        Assert.Equal(clusters[0].Port, clusters[1].Port);
        Assert.Single(clusters, c => c.CreatedNow);
        Assert.Single(clusters, c => c.StartedNow);
        Assert.Equal(1, Scalar<int>(clusters[0].ConnectionString(), "SELECT 1"));
    }

    [Fact]
    public void Creates_and_drops_databases_with_names_that_need_quoting()
    {
        var cluster = LocalPostgresCluster.EnsureStarted(NewRoot());
        const string name = "test \"db\" Ä";

        var connectionString = cluster.CreateDatabase(name);
        Assert.Equal(name, Scalar<string>(connectionString + ";Pooling=true", "SELECT current_database()"));

        cluster.DropDatabase(name); // ends the pooled session that is still open
        cluster.DropDatabase(name); // and dropping what is not there is fine

        Assert.Equal(0L, Scalar<long>(cluster.ConnectionString(), $"SELECT count(*) FROM pg_database WHERE datname = '{name.Replace("'", "''")}'"));
        Assert.Throws<ArgumentException>(() => cluster.CreateDatabase(new string('x', 64)));
    }

    [Fact]
    public void A_server_that_does_not_start_is_reported_with_its_log()
    {
        var root = NewRoot();
        var cluster = LocalPostgresCluster.EnsureStarted(root);
        cluster.Stop();
        File.AppendAllText(Path.Combine(cluster.DataDirectory, "postgresql.conf"), "no_such_setting = 1\n");

        var error = Assert.Throws<LocalDatabaseException>(() => LocalPostgresCluster.EnsureStarted(root));

        Assert.Contains("did not start", error.Message);
        Assert.Contains("no_such_setting", error.Message);
    }

    [Fact]
    public void A_failing_initdb_is_reported_with_its_output()
    {
        if (OperatingSystem.IsWindows()) return; // the stand-in tools below are shell scripts
        var bin = Directory.CreateDirectory(Path.Combine(_temp.Path, "fake-bin")).FullName;
        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres" })
        {
            var script = Path.Combine(bin, tool);
            File.WriteAllText(script, "#!/bin/sh\necho \"fake $0 refuses\" >&2\nexit 3\n");
            File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        }
        var options = new LocalPostgresOptions { Binaries = PostgresBinaries.FromDirectory(bin) };

        var error = Assert.Throws<LocalDatabaseException>(() => LocalPostgresCluster.EnsureStarted(NewRoot(), options));

        Assert.Contains("initdb could not create", error.Message);
        Assert.Contains("refuses", error.Message);
        Assert.Contains("exit code 3", error.Message);
    }

    [Fact]
    public void As_root_a_data_root_the_server_user_cannot_reach_gets_its_cluster_under_tmp()
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess) return; // only root switches to the postgres user
        var closed = Directory.CreateDirectory(Path.Combine(_temp.Path, "closed")).FullName;
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var root = NewRoot(Path.Combine(closed, "obj", "migrations-db"));

        var cluster = LocalPostgresCluster.EnsureStarted(root);

        Assert.StartsWith("/tmp/migrations-build-", cluster.DataDirectory);
        Assert.Equal(1, Scalar<int>(cluster.ConnectionString(), "SELECT 1"));
        Assert.Equal(cluster.Port, LocalPostgresCluster.EnsureStarted(root).Port);

        LocalPostgresCluster.Delete(root);
        Assert.False(Directory.Exists(Path.GetDirectoryName(cluster.DataDirectory)));
    }

    [Fact]
    public void As_root_a_recreated_data_root_finds_its_running_cluster_under_tmp_again()
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess) return;
        var closed = Directory.CreateDirectory(Path.Combine(_temp.Path, "closed")).FullName;
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var root = NewRoot(Path.Combine(closed, "obj", "migrations-db"));
        var first = LocalPostgresCluster.EnsureStarted(root);
        Execute(first.ConnectionString(), "CREATE TABLE kept (id int)");

        Directory.Delete(Path.Combine(closed, "obj"), recursive: true); // rm -rf obj while the server runs
        var again = LocalPostgresCluster.EnsureStarted(root);

        Assert.False(again.CreatedNow);
        Assert.Equal(first.DataDirectory, again.DataDirectory);
        Assert.Equal(first.Port, again.Port);
        Assert.Equal(0L, Scalar<long>(again.ConnectionString(), "SELECT count(*) FROM kept"));
    }

    [Fact]
    public void As_root_a_link_planted_at_the_tmp_folder_is_refused_and_its_target_left_alone()
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess) return;
        var root = ClosedRoot();
        var victim = Directory.CreateDirectory(Path.Combine(_temp.Path, "victim")).FullName;
        File.SetUnixFileMode(victim, (UnixFileMode)0b111_101_101);
        var planted = LocalPostgresCluster.SharedTmpFolder(root);
        File.CreateSymbolicLink(planted, victim);
        try
        {
            var error = Assert.Throws<LocalDatabaseException>(() => LocalPostgresCluster.EnsureStarted(root));

            Assert.Contains(planted, error.Message);
            Assert.Contains("symbolic link", error.Message);
            Assert.Equal("root", Owner(victim));
            Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(victim));
            Assert.Empty(Directory.EnumerateFileSystemEntries(victim));
        }
        finally
        {
            File.Delete(planted);
        }
    }

    [Fact]
    public void As_root_a_tmp_folder_another_user_made_first_is_refused()
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess) return;
        var root = ClosedRoot();
        var planted = Directory.CreateDirectory(LocalPostgresCluster.SharedTmpFolder(root)).FullName;
        try
        {
            Assert.True(ToolProcess.Run("chown", ["nobody", planted], TimeSpan.FromSeconds(15)).Succeeded);

            var error = Assert.Throws<LocalDatabaseException>(() => LocalPostgresCluster.EnsureStarted(root));

            Assert.Contains("directory:nobody", error.Message);
            Assert.Empty(Directory.EnumerateFileSystemEntries(planted));
            Assert.Equal("nobody", Owner(planted));
        }
        finally
        {
            Directory.Delete(planted, recursive: true);
        }
    }

    /// <summary>A data root the server's user cannot reach, as under /root: its cluster goes to /tmp.</summary>
    private string ClosedRoot()
    {
        var closed = Directory.CreateDirectory(Path.Combine(_temp.Path, "closed")).FullName;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return NewRoot(Path.Combine(closed, "obj", "migrations-db"));
    }

    private static string Owner(string path) =>
        ToolProcess.Run("stat", ["-c", "%U", "--", path], TimeSpan.FromSeconds(15)).Output.Trim();

    [Fact]
    public void Stopping_or_deleting_what_does_not_exist_is_harmless()
    {
        var root = Path.Combine(_temp.Path, "never-created");

        Assert.False(LocalPostgresCluster.Stop(root));
        LocalPostgresCluster.Delete(root);
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public void Delete_stops_the_server_and_removes_the_data_root()
    {
        var root = NewRoot();
        var cluster = LocalPostgresCluster.EnsureStarted(root);

        LocalPostgresCluster.Delete(root);

        Assert.False(Directory.Exists(root));
        Assert.False(CanConnect(cluster.ConnectionString()));
    }

    private string NewRoot(string? path = null)
    {
        var root = path ?? Path.Combine(_temp.Path, "obj", "migrations-db");
        _roots.Add(root);
        return root;
    }

    // Unpooled: a pooled session would not survive the restarts these tests make.
    private static NpgsqlConnection Open(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Pooling", StringComparison.OrdinalIgnoreCase)) builder.Pooling = false;
        var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Open();
        return connection;
    }

    private static T Scalar<T>(string connectionString, string sql)
    {
        using var connection = Open(connectionString);
        using var command = new NpgsqlCommand(sql, connection);
        return (T)command.ExecuteScalar()!;
    }

    /// <summary>One command per statement: the engine turns off Npgsql's own statement splitting.</summary>
    private static void Execute(string connectionString, string sql)
    {
        using var connection = Open(connectionString);
        foreach (var statement in Migrations.Build.Engine.Sql.SqlStatementSplitter.Split(sql).Statements)
        {
            using var command = new NpgsqlCommand(statement.Text, connection);
            command.ExecuteNonQuery();
        }
    }

    private static bool CanConnect(string connectionString)
    {
        try
        {
            using var connection = Open(connectionString + ";Timeout=2");
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }
}
