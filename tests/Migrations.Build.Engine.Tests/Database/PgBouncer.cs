using System.Net;
using System.Net.Sockets;
using Migrations.Build.Engine.LocalDatabase;
using Npgsql;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>
/// A real PgBouncer (Debian's package) in front of a test cluster, on a free loopback port, in the pool mode a test
/// asks for. Like the cluster it runs as the postgres OS user when the tests run as root (PgBouncer refuses root).
/// Shared by the engine and the end-to-end tests.
/// </summary>
public sealed class PgBouncer : IDisposable
{
    /// <summary>Where Debian installs it; PATH does not always hold /usr/sbin.</summary>
    public static string? Binary => new[] { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer" }.FirstOrDefault(File.Exists);

    private readonly string _folder;
    private readonly ServerAccount _account = ServerAccount.For(LocalPostgresOptions.Default);

    /// <param name="target">A connection string for the server (its host, port, user and password file).</param>
    /// <param name="poolMode">session or transaction.</param>
    public PgBouncer(string target, string poolMode)
    {
        var binary = Binary ?? throw new InvalidOperationException("pgbouncer is not installed: apt-get install pgbouncer (.ci/run does)");
        var server = new NpgsqlConnectionStringBuilder(target);
        var password = server.Passfile is { } passfile && File.Exists(passfile) ? File.ReadAllText(passfile).Trim().Split(':')[^1] : server.Password;
        _folder = Path.Combine(Path.GetTempPath(), "mb-pgbouncer-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_folder);
        Port = LocalPostgresCluster.FreePort();
        PoolMode = poolMode;
        var ini = Path.Combine(_folder, "pgbouncer.ini");
        // auth_type any: clients are not asked for a password; PgBouncer logs in to the server as the user given here.
        File.WriteAllText(ini, $"""
            [databases]
            * = host={server.Host} port={server.Port} user={server.Username} password={password}
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {Port}
            unix_socket_dir =
            auth_type = any
            pool_mode = {poolMode}
            default_pool_size = 4
            max_client_conn = 200
            server_reset_query = DISCARD ALL
            ignore_startup_parameters = extra_float_digits,options
            pidfile = {Path.Combine(_folder, "pgbouncer.pid")}
            logfile = {Path.Combine(_folder, "pgbouncer.log")}
            """);
        _account.TakeOwnership(_folder);
        var started = _account.Run(binary, ["-d", ini]);
        if (!started.Succeeded) throw new InvalidOperationException($"pgbouncer did not start: {started.Output}\n{Log}");
        for (var i = 0; i < 100 && !Accepts(Port); i++) Thread.Sleep(50);
        if (!Accepts(Port)) throw new InvalidOperationException($"pgbouncer does not accept connections on {Port}:\n{Log}");
        Target = target;
    }

    public int Port { get; }
    public string PoolMode { get; }
    public string Target { get; }

    /// <summary>The same database as <paramref name="direct"/>, through PgBouncer.</summary>
    public string Through(string direct) =>
        new NpgsqlConnectionStringBuilder(direct) { Port = Port, Passfile = null, Password = "unused" }.ConnectionString;

    public string Log => File.Exists(Path.Combine(_folder, "pgbouncer.log")) ? File.ReadAllText(Path.Combine(_folder, "pgbouncer.log")) : "(no log)";

    public void Dispose()
    {
        var pidFile = Path.Combine(_folder, "pgbouncer.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit(5000);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
