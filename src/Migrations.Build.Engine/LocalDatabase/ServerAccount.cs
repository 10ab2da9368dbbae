namespace Migrations.Build.Engine.LocalDatabase;

/// <summary>
/// Who runs initdb, pg_ctl and the server. Normally this process's own user. As root (Docker builds, CI images)
/// that is impossible, because initdb and postgres refuse to run as root; then the tools run as the 'postgres'
/// OS user through runuser (or su where runuser is missing), given an argument list so nothing is shell-quoted.
/// </summary>
internal sealed class ServerAccount
{
    /// <summary>For the small system tools (id, test, chown, mkdir, stat) run around the server.</summary>
    internal static readonly TimeSpan HelperTimeout = TimeSpan.FromSeconds(15);
    private static readonly string[] SystemDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    private readonly string? _runuser;
    private readonly TimeSpan _timeout;

    private ServerAccount(string? osUser, string? runuser, TimeSpan timeout)
    {
        OsUser = osUser;
        _runuser = runuser;
        _timeout = timeout;
    }

    /// <summary>The user the tools are switched to, or null when they run as this process's user.</summary>
    public string? OsUser { get; }

    public bool SwitchesUser => OsUser is not null;

    public static ServerAccount For(LocalPostgresOptions options)
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess)
        {
            // On Windows, initdb and pg_ctl drop administrator rights themselves (restricted token).
            return new ServerAccount(null, null, options.ToolTimeout);
        }

        var user = options.ServerOsUser;
        var runuser = SystemDirectories.Select(d => Path.Combine(d, "runuser")).FirstOrDefault(File.Exists);
        var account = new ServerAccount(user, runuser, options.ToolTimeout);
        var id = ToolProcess.Run("id", ["-u", user], HelperTimeout);
        if (!id.Succeeded)
        {
            throw new LocalDatabaseException(
                $"this build runs as root, and PostgreSQL refuses to run as root, so the local database must run as the " +
                $"'{user}' OS user, which does not exist here. Install the PostgreSQL server package (it creates that user), " +
                $"create the user (useradd --system {user}), or run the build as a non-root user ({id.Output})");
        }
        return account;
    }

    /// <summary>Runs a tool as the server's user. The working folder is '/', because initdb and pg_ctl fail when they cannot read their current folder (root's /root, say).</summary>
    public ToolProcess.Result Run(string tool, IReadOnlyList<string> arguments, TimeSpan? timeout = null)
    {
        var limit = timeout ?? _timeout;
        if (OsUser is null) return ToolProcess.Run(tool, arguments, limit);
        return _runuser is not null
            ? ToolProcess.Run(_runuser, ["-u", OsUser, "--", tool, .. arguments], limit, workingDirectory: "/")
            // su passes the words after -c's command to the shell as $0, $1...: exec them as they are.
            : ToolProcess.Run("su", ["-s", "/bin/sh", "-c", "exec \"$0\" \"$@\"", OsUser, tool, .. arguments], limit, workingDirectory: "/");
    }

    /// <summary>Whether the server's user can reach <paramref name="directory"/>: every folder above it must be searchable by them.</summary>
    public bool CanReach(string directory) => OsUser is null || Run("test", ["-x", directory], HelperTimeout).Succeeded;

    /// <summary>Makes the server's user the owner of <paramref name="directory"/> (not of its contents), so initdb can create the data folder and the log in it.</summary>
    public void TakeOwnership(string directory)
    {
        if (OsUser is null) return;
        var result = ToolProcess.Run("chown", [OsUser, directory], HelperTimeout);
        if (!result.Succeeded)
        {
            throw new LocalDatabaseException($"could not give '{directory}' to the '{OsUser}' OS user: {result.Output}");
        }
    }
}
