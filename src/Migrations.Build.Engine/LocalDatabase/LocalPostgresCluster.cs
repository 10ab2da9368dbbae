using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Migrations.Build.Engine.LocalDatabase;

/// <summary>
/// A PostgreSQL cluster of our own under a data root folder (e.g. obj/migrations-db): created on first use,
/// started when it is not running, reused while it is. It is the local development database when no
/// connection string is configured, and the throwaway server of the test suites.
/// </summary>
/// <remarks>
/// The data root holds: data/ (PGDATA), postgres.log, pgpass, port (the TCP port last used), .lock (held while
/// the cluster is created, started or stopped) and, only when the cluster lives outside the data root,
/// location (the folder holding data/, postgres.log and pgpass instead).
/// The server listens on 127.0.0.1 only, without Unix sockets: no socket path length limit, no
/// /var/run/postgresql to write to, one way to connect. Other users of the machine can reach that port, so
/// the cluster asks for a password (scram-sha-256): a random one made at initdb, kept in a pgpass file
/// beside data/ (readable by this user only), which connection strings name as their Passfile, so that no
/// connection string holds the password itself. Clusters made before kept trust authentication and no
/// pgpass file; they go on working as they are.
/// </remarks>
public sealed class LocalPostgresCluster
{
    private const string DataFolderName = "data";
    private const string LogFileName = "postgres.log";
    private const string PortFileName = "port";
    private const string LocationFileName = "location";
    private const string LockFileName = ".lock";
    private const string PasswordFileName = "pgpass";
    private const string PidFileName = "postmaster.pid";
    private const string SuperUser = "postgres";
    private const int StartAttempts = 3;
    private const int MaxIdentifierBytes = 63;
    private const int LogTailLines = 25;

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);
    // Our own limit on pg_ctl is above the one pg_ctl applies itself (-t), so its message wins when both expire.
    private static readonly TimeSpan PgCtlMargin = TimeSpan.FromSeconds(15);

    private readonly LocalPostgresOptions _options;
    private readonly string _clusterFolder;

    private LocalPostgresCluster(string dataRoot, string clusterFolder, int port, bool startedNow, bool createdNow, LocalPostgresOptions options)
    {
        DataRoot = dataRoot;
        DataDirectory = Path.Combine(clusterFolder, DataFolderName);
        LogFile = Path.Combine(clusterFolder, LogFileName);
        Port = port;
        StartedNow = startedNow;
        CreatedNow = createdNow;
        ServerMajorVersion = ReadMajorVersion(DataDirectory);
        _clusterFolder = clusterFolder;
        _options = options;
    }

    public string DataRoot { get; }

    /// <summary>PGDATA. Inside the data root, except when running as root forced it elsewhere.</summary>
    public string DataDirectory { get; }

    public string LogFile { get; }

    public string Host => "127.0.0.1";

    public int Port { get; }

    public string Username => SuperUser;

    /// <summary>True when this call started the server (after creating the cluster, or after it was stopped).</summary>
    public bool StartedNow { get; }

    /// <summary>True when this call created the cluster (ran initdb): the database is empty.</summary>
    public bool CreatedNow { get; }

    /// <summary>The major version of the cluster, e.g. "15", from its PG_VERSION file; null if unreadable.</summary>
    public string? ServerMajorVersion { get; }

    /// <summary>The pgpass file with the superuser's password (libpq format), or null for a cluster that trusts local connections.</summary>
    /// <remarks>Beside the data folder, so it lives as long as the cluster, also where root had to put that outside the data root.</remarks>
    public string? PasswordFile => File.Exists(Path.Combine(_clusterFolder, PasswordFileName)) ? Path.Combine(_clusterFolder, PasswordFileName) : null;

    /// <summary>Npgsql connection string for <paramref name="database"/>: the password stays in <see cref="PasswordFile"/>.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = Username,
        Database = database,
        Passfile = PasswordFile,
    }.ConnectionString;

    public override string ToString() => $"PostgreSQL {ServerMajorVersion} at {Host}:{Port} (data in {DataRoot})";

    /// <summary>Creates the cluster in <paramref name="dataRoot"/> if needed, starts it if it is not running, and returns it.</summary>
    /// <exception cref="LocalDatabaseException">No server binaries, or initdb or the server failed (the message has their output).</exception>
    public static LocalPostgresCluster EnsureStarted(string dataRoot, LocalPostgresOptions? options = null)
    {
        options ??= LocalPostgresOptions.Default;
        var root = Path.GetFullPath(dataRoot);
        Directory.CreateDirectory(root);
        using var held = DirectoryLock.Acquire(Path.Combine(root, LockFileName), options.LockTimeout);

        var folder = ClusterFolder(root);
        var dataDirectory = Path.Combine(folder, DataFolderName);
        if (RunningPort(dataDirectory) is { } runningPort)
        {
            return new LocalPostgresCluster(root, folder, runningPort, startedNow: false, createdNow: false, options);
        }

        var binaries = options.Binaries ?? PostgresBinaries.Require();
        var account = ServerAccount.For(options);
        var created = false;
        if (!IsCluster(dataDirectory))
        {
            folder = PrepareClusterFolder(root, account);
            dataDirectory = Path.Combine(folder, DataFolderName);
            // The folder chosen may already hold our cluster: a data root recreated (rm -rf obj) while its cluster
            // lived under /tmp. Never initdb over it.
            if (RunningPort(dataDirectory) is { } port)
            {
                return new LocalPostgresCluster(root, folder, port, startedNow: false, createdNow: false, options);
            }
            if (!IsCluster(dataDirectory))
            {
                Initialize(binaries, account, dataDirectory, options);
                created = true;
            }
        }

        var startedPort = Start(binaries, account, root, folder, options);
        return new LocalPostgresCluster(root, folder, startedPort, startedNow: true, createdNow: created, options);
    }

    /// <summary>
    /// Whether the server of <paramref name="dataRoot"/> has a pid file, so that <see cref="EnsureStarted"/> most
    /// likely finds it running rather than starting (or creating) it, which takes seconds. A file check, no probe.
    /// </summary>
    public static bool SeemsRunning(string dataRoot)
    {
        var root = Path.GetFullPath(dataRoot);
        return File.Exists(Path.Combine(ClusterFolder(root), DataFolderName, PidFileName));
    }

    /// <summary>Stops the server of <paramref name="dataRoot"/> (fast shutdown: open sessions are ended). Returns whether it was running.</summary>
    public static bool Stop(string dataRoot, LocalPostgresOptions? options = null)
    {
        options ??= LocalPostgresOptions.Default;
        var root = Path.GetFullPath(dataRoot);
        if (!Directory.Exists(root)) return false;
        using var held = DirectoryLock.Acquire(Path.Combine(root, LockFileName), options.LockTimeout);
        return StopLocked(root, options);
    }

    /// <summary>Stops the server and deletes the data root, and the cluster folder outside it if there is one.</summary>
    public static void Delete(string dataRoot, LocalPostgresOptions? options = null)
    {
        options ??= LocalPostgresOptions.Default;
        var root = Path.GetFullPath(dataRoot);
        if (!Directory.Exists(root)) return;
        using (DirectoryLock.Acquire(Path.Combine(root, LockFileName), options.LockTimeout))
        {
            StopLocked(root, options);
            var folder = ClusterFolder(root);
            if (folder != root && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            foreach (var entry in Directory.EnumerateFileSystemEntries(root))
            {
                if (Path.GetFileName(entry) == LockFileName) continue;
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
        }
        // The lock goes last, once released; a process that opened it meanwhile keeps Windows from deleting it, which is harmless.
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public bool Stop() => Stop(DataRoot, _options);

    /// <summary>Creates an empty database and returns its connection string. For tests that want a fresh database each.</summary>
    public string CreateDatabase(string name)
    {
        ExecuteAdmin($"CREATE DATABASE {QuoteIdentifier(name)}");
        return ConnectionString(name);
    }

    /// <summary>Drops the database if it exists, ending its sessions first (PostgreSQL 13+).</summary>
    public void DropDatabase(string name)
    {
        var quoted = QuoteIdentifier(name);
        using (var connection = OpenAdminConnection())
        {
            var force = connection.PostgreSqlVersion.Major >= 13 ? " WITH (FORCE)" : "";
            using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {quoted}{force}", connection);
            command.ExecuteNonQuery();
        }
        // Pooled connections to it are dead now: do not hand them out again.
        using var pooled = new NpgsqlConnection(ConnectionString(name));
        NpgsqlConnection.ClearPool(pooled);
    }

    internal static string QuoteIdentifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('\0') || Encoding.UTF8.GetByteCount(name) > MaxIdentifierBytes)
        {
            // Longer names would be truncated silently by the server, and then not found under the name we were given.
            throw new ArgumentException($"'{name}' is not a usable database name: use 1 to {MaxIdentifierBytes} bytes and no NUL character", nameof(name));
        }
        return "\"" + name.Replace("\"", "\"\"") + "\"";
    }

    private void ExecuteAdmin(string sql)
    {
        using var connection = OpenAdminConnection();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private NpgsqlConnection OpenAdminConnection()
    {
        // Unpooled: CREATE/DROP DATABASE are one-offs, and a pooled session would outlive a Stop().
        var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
        connection.Open();
        return connection;
    }

    private static bool StopLocked(string root, LocalPostgresOptions options)
    {
        var dataDirectory = Path.Combine(ClusterFolder(root), DataFolderName);
        if (ServerProcess(dataDirectory) is null) return false;

        var binaries = options.Binaries ?? PostgresBinaries.Require();
        var account = ServerAccount.For(options);
        var seconds = ((int)options.ToolTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var result = account.Run(binaries.PgCtl, ["-D", dataDirectory, "-m", "fast", "-w", "-t", seconds, "stop"], options.ToolTimeout + PgCtlMargin);
        if (!result.Succeeded && ServerProcess(dataDirectory) is not null)
        {
            throw new LocalDatabaseException($"could not stop the local PostgreSQL server in '{dataDirectory}':{Environment.NewLine}{Tail(result.Output)}");
        }
        return true;
    }

    /// <summary>The folder holding data/ and postgres.log: the data root, unless a location file points elsewhere.</summary>
    private static string ClusterFolder(string root)
    {
        var locationFile = Path.Combine(root, LocationFileName);
        var location = File.Exists(locationFile) ? File.ReadAllText(locationFile).Trim() : "";
        return location.Length > 0 && Path.IsPathFullyQualified(location) ? location : root;
    }

    /// <summary>
    /// Chooses and prepares the folder for a new cluster. As root, the server's user must own it and reach it;
    /// a data root under /root (mode 700) is out of its reach, and we will not open up the permissions of the user's
    /// folders, so the cluster then goes to /tmp/migrations-build-&lt;hash of the data root&gt;, recorded in the location
    /// file. If /tmp is cleaned (reboot), the next run simply creates a new, empty cluster there.
    /// </summary>
    private static string PrepareClusterFolder(string root, ServerAccount account)
    {
        var locationFile = Path.Combine(root, LocationFileName);
        if (!account.SwitchesUser || account.CanReach(root))
        {
            File.Delete(locationFile);
            account.TakeOwnership(root);
            return root;
        }

        var folder = SharedTmpFolder(root);
        ClaimSharedFolder(folder, account);
        account.TakeOwnership(folder);
        File.WriteAllText(locationFile, folder + Environment.NewLine);
        return folder;
    }

    /// <summary>Stable for a data root, so that a data root recreated (rm -rf obj) finds its cluster again.</summary>
    internal static string SharedTmpFolder(string root) =>
        Path.Combine("/tmp", "migrations-build-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..16].ToLowerInvariant());

    /// <summary>
    /// /tmp is everyone's, and the name is predictable: another local user could create it first, or plant a link
    /// there for the chown that follows to give away what it points to. So the folder is made with mkdir (exclusive,
    /// mode 700, never through a link), and one that already exists is used only if it is a real folder of root or
    /// of the server's user: nobody else can make one, and /tmp's sticky bit keeps anybody else from swapping it.
    /// </summary>
    private static void ClaimSharedFolder(string folder, ServerAccount account)
    {
        if (ToolProcess.Run("mkdir", ["-m", "700", "--", folder], ServerAccount.HelperTimeout).Succeeded) return;
        var found = ToolProcess.Run("stat", ["-c", "%F:%U", "--", folder], ServerAccount.HelperTimeout);
        var what = found.Output.Trim();
        if (found.Succeeded && (what == "directory:root" || what == $"directory:{account.OsUser}")) return;
        throw new LocalDatabaseException(
            $"'{folder}' already exists and is not a folder of root or of the '{account.OsUser}' user ({(found.Succeeded ? what : found.Output.Trim())}), " +
            $"so another user may have made it: remove it, or set MigrationLocalDatabaseDirectory to a folder the '{account.OsUser}' user can reach");
    }

    /// <summary>
    /// Writes a new file only this user can read (mode 0600 from its creation on Unix). Whatever was at the path
    /// is removed first and the file created exclusively, so a link planted there is never followed.
    /// </summary>
    private static void WritePrivateFile(string path, string content)
    {
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write(content);
    }

    private static bool IsCluster(string dataDirectory) => File.Exists(Path.Combine(dataDirectory, "PG_VERSION"));

    private static void Initialize(PostgresBinaries binaries, ServerAccount account, string dataDirectory, LocalPostgresOptions options)
    {
        // A data folder without PG_VERSION is what an interrupted initdb leaves; initdb refuses non-empty folders.
        if (Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);

        // initdb reads the password from a file, as the server's user: one beside the data folder, gone right after.
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        var clusterFolder = Path.GetDirectoryName(dataDirectory)!;
        // The pgpass first: a crash right after initdb must not leave a cluster nobody has the password of.
        // Any host, port and database in it: the port changes when the last one is taken.
        WritePrivateFile(Path.Combine(clusterFolder, PasswordFileName), $"127.0.0.1:*:*:{SuperUser}:{password}\n");
        var initdbPasswordFile = Path.Combine(clusterFolder, ".initdb-password");
        WritePrivateFile(initdbPasswordFile, password + "\n");
        ToolProcess.Result result;
        try
        {
            account.TakeOwnership(initdbPasswordFile);
            result = account.Run(binaries.InitDb,
                ["-D", dataDirectory, "-U", SuperUser, "--auth=scram-sha-256", "--pwfile=" + initdbPasswordFile, "--encoding=UTF8", "--locale=C", "--no-sync"]);
        }
        finally
        {
            File.Delete(initdbPasswordFile);
        }
        if (!result.Succeeded)
        {
            throw new LocalDatabaseException(
                $"initdb could not create the local database in '{dataDirectory}' (exit code {result.ExitCode}):{Environment.NewLine}{Tail(result.Output)}");
        }

        // Appended, so the last value wins over initdb's own. The port is not here: it is given at each start.
        var settings = new StringBuilder()
            .AppendLine()
            .AppendLine("# Added by Migrations.Build: a private server for development and tests, on 127.0.0.1 only.")
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine("unix_socket_directories = ''")
            .AppendLine("synchronous_commit = off");
        if (!options.Durable)
        {
            settings.AppendLine("fsync = off").AppendLine("full_page_writes = off");
        }
        File.AppendAllText(Path.Combine(dataDirectory, "postgresql.conf"), settings.ToString());
    }

    /// <summary>Starts the server on the port of the last run if it is still free, else on a new free port; returns the port.</summary>
    private static int Start(PostgresBinaries binaries, ServerAccount account, string root, string folder, LocalPostgresOptions options)
    {
        var dataDirectory = Path.Combine(folder, DataFolderName);
        var logFile = Path.Combine(folder, LogFileName);
        var portFile = Path.Combine(root, PortFileName);
        var seconds = ((int)options.ToolTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var preferred = ReadPort(portFile);

        for (var attempt = 1; ; attempt++)
        {
            var port = preferred is { } last && IsFree(last) ? last : FreePort();
            preferred = null;
            var logStart = File.Exists(logFile) ? new FileInfo(logFile).Length : 0;

            var result = account.Run(binaries.PgCtl,
                ["-D", dataDirectory, "-l", logFile, "-w", "-t", seconds, "-o", $"-p {port}", "start"],
                options.ToolTimeout + PgCtlMargin);
            if (result.Succeeded)
            {
                File.WriteAllText(portFile, port.ToString(CultureInfo.InvariantCulture) + Environment.NewLine);
                return port;
            }

            var log = ReadLog(logFile, logStart);
            // Between our check and the server's bind another process may have taken the port: take another.
            if (attempt < StartAttempts && log.Contains("could not bind", StringComparison.Ordinal)) continue;

            throw new LocalDatabaseException(
                $"the local PostgreSQL server in '{dataDirectory}' did not start on port {port} (pg_ctl exit code {result.ExitCode})." +
                VersionMismatchHint(binaries, dataDirectory) + Environment.NewLine +
                Tail(result.Output) + Environment.NewLine +
                $"Server log ({logFile}):" + Environment.NewLine + Tail(log));
        }
    }

    private static string VersionMismatchHint(PostgresBinaries binaries, string dataDirectory)
    {
        var cluster = ReadMajorVersion(dataDirectory);
        var server = binaries.ReadVersion()?.Split('.')[0];
        return cluster is null || server is null || cluster == server ? "" :
            $" The cluster was created by PostgreSQL {cluster}, but the server found is PostgreSQL {server} ({binaries.Directory}): " +
            $"point {PostgresBinaries.DirectoryVariable} at the PostgreSQL {cluster} binaries, or delete the data root to start over with an empty database.";
    }

    /// <summary>The port of the server running on <paramref name="dataDirectory"/>, when it is up and accepting connections.</summary>
    private static int? RunningPort(string dataDirectory)
    {
        var lines = ReadPidFile(dataDirectory);
        // postmaster.pid: PID, data folder, start time, port, socket folder, listen address, shared memory key, status.
        if (lines is null || lines.Length < 4 || !int.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port)) return null;
        if (ServerProcess(dataDirectory) is null) return null;
        if (lines.Length >= 8 && lines[7].Trim() != "ready") return null;
        return AcceptsConnections(port) ? port : null;
    }

    /// <summary>The PID of the live postmaster of <paramref name="dataDirectory"/>, or null (no pid file, or a stale one).</summary>
    private static int? ServerProcess(string dataDirectory)
    {
        var lines = ReadPidFile(dataDirectory);
        if (lines is null || lines.Length == 0 || !int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return null;
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : pid;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string[]? ReadPidFile(string dataDirectory)
    {
        try
        {
            using var stream = new FileStream(Path.Combine(dataDirectory, PidFileName), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Split('\n').Select(l => l.Trim()).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool AcceptsConnections(int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(ProbeTimeout);
        try
        {
            client.ConnectAsync(IPAddress.Loopback, port, timeout.Token).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static bool IsFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>A port the OS considers free now. Another process may take it before the server binds it; Start retries.</summary>
    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static int? ReadPort(string portFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(portFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                && port is > 0 and <= IPEndPoint.MaxPort ? port : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadMajorVersion(string dataDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dataDirectory, "PG_VERSION")).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What the server wrote to its log since <paramref name="from"/> (the server appends to the log across runs).</summary>
    private static string ReadLog(string logFile, long from)
    {
        try
        {
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Min(from, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static string Tail(string text)
    {
        var lines = text.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var tail = lines.Length <= LogTailLines ? lines : ["...", .. lines[^LogTailLines..]];
        var joined = string.Join(Environment.NewLine, tail).Trim();
        return joined.Length == 0 ? "(no output)" : joined;
    }
}
