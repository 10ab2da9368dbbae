using System.Globalization;
using System.Text.RegularExpressions;

namespace Migrations.Build.Engine.LocalDatabase;

/// <summary>
/// A folder holding the PostgreSQL server programs the local database needs: initdb, pg_ctl and postgres.
/// Found, in order, through MIGRATION_POSTGRES_BIN, `pg_config --bindir`, PATH, then the newest of the
/// places packages install to (Debian's /usr/lib/postgresql/N/bin is not on PATH).
/// </summary>
public sealed partial class PostgresBinaries
{
    public const string DirectoryVariable = "MIGRATION_POSTGRES_BIN";

    private static readonly string[] RequiredTools = ["initdb", "pg_ctl", "postgres"];
    private static readonly TimeSpan PgConfigTimeout = TimeSpan.FromSeconds(10);

    private PostgresBinaries(string directory, string foundBy)
    {
        Directory = directory;
        FoundBy = foundBy;
    }

    public string Directory { get; }

    /// <summary>How the folder was found, for messages: "MIGRATION_POSTGRES_BIN", "pg_config --bindir", "PATH" or "a standard location".</summary>
    public string FoundBy { get; }

    public string InitDb => Tool("initdb");

    public string PgCtl => Tool("pg_ctl");

    public string Postgres => Tool("postgres");

    public override string ToString() => $"{Directory} (found by {FoundBy})";

    /// <summary>The binaries in <paramref name="directory"/>, or null when one of initdb, pg_ctl, postgres is missing there.</summary>
    public static PostgresBinaries? FromDirectory(string directory, string foundBy = "explicit folder")
    {
        if (string.IsNullOrWhiteSpace(directory)) return null;
        var full = Path.GetFullPath(directory.Trim());
        return RequiredTools.All(t => File.Exists(Path.Combine(full, ExecutableName(t)))) ? new PostgresBinaries(full, foundBy) : null;
    }

    /// <summary>The server binaries of this machine, or null when there are none (or MIGRATION_POSTGRES_BIN points nowhere useful).</summary>
    public static PostgresBinaries? Find() => Locate(Environment.GetEnvironmentVariable).Binaries;

    /// <summary>Like <see cref="Find"/>, but throws a <see cref="LocalDatabaseException"/> that says how to fix it.</summary>
    public static PostgresBinaries Require()
    {
        var (binaries, problem) = Locate(Environment.GetEnvironmentVariable);
        return binaries ?? throw new LocalDatabaseException(problem!);
    }

    /// <summary>`postgres --version`, e.g. "15.18", or null when it cannot be read.</summary>
    public string? ReadVersion()
    {
        try
        {
            var result = ToolProcess.Run(Postgres, ["--version"], PgConfigTimeout);
            var match = VersionNumber().Match(result.StandardOutput);
            return result.Succeeded && match.Success ? match.Value : null;
        }
        catch (LocalDatabaseException)
        {
            return null;
        }
    }

    /// <summary>The search, with the environment passed in so tests need not change the real one.</summary>
    internal static (PostgresBinaries? Binaries, string? Problem) Locate(Func<string, string?> environment)
    {
        var configured = environment(DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            // An explicit setting that is wrong is an error, not a hint to quietly use some other version.
            var chosen = FromDirectory(configured, DirectoryVariable);
            return chosen is not null
                ? (chosen, null)
                : (null, $"{DirectoryVariable} is set to '{configured}', but that folder does not contain " +
                         $"{string.Join(", ", RequiredTools.Select(ExecutableName))}: set it to the 'bin' folder of a PostgreSQL server installation");
        }

        var path = environment("PATH") ?? "";
        var found = FromPgConfig(path) ?? FromPath(path) ?? FromStandardLocations();
        return found is not null ? (found, null) : (null, NotFoundMessage);
    }

    internal static string NotFoundMessage =>
        "no PostgreSQL server was found for the local development database (initdb, pg_ctl and postgres are needed). " +
        "Install the server: 'apt-get install postgresql' on Debian/Ubuntu, 'dnf install postgresql-server' on Fedora/RHEL, " +
        "'brew install postgresql' on macOS, the installer from postgresql.org on Windows; " +
        $"or set {DirectoryVariable} to the folder that holds those programs; " +
        "or use an existing database instead: set the MigrationConnectionString property or the MIGRATION_CONNECTION_STRING environment variable";

    private static PostgresBinaries? FromPgConfig(string path)
    {
        var pgConfig = FindOnPath(path, "pg_config");
        if (pgConfig is null) return null;
        try
        {
            // pg_config may come from a client-only package (libpq-dev): its bindir need not hold a server.
            var result = ToolProcess.Run(pgConfig, ["--bindir"], PgConfigTimeout);
            return result.Succeeded ? FromDirectory(result.StandardOutput.Trim(), "pg_config --bindir") : null;
        }
        catch (LocalDatabaseException)
        {
            return null;
        }
    }

    private static PostgresBinaries? FromPath(string path)
    {
        foreach (var directory in SplitPath(path))
        {
            var initDb = Path.Combine(directory, ExecutableName("initdb"));
            if (!File.Exists(initDb) || !File.Exists(Path.Combine(directory, ExecutableName("pg_ctl")))) continue;
            if (FromDirectory(directory, "PATH") is { } here) return here;

            // /usr/local/bin/initdb is often a link into the real bin folder, which also holds postgres.
            var target = ResolveLink(initDb);
            if (target is not null && FromDirectory(Path.GetDirectoryName(target)!, "PATH") is { } linked) return linked;
        }
        return null;
    }

    private static PostgresBinaries? FromStandardLocations()
    {
        // (parent folder, prefix of the versioned child folder, bin folder below it)
        var patterns = OperatingSystem.IsWindows()
            ? new List<(string, string, string)>
            {
                (Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), "PostgreSQL"), "", "bin"),
                (@"C:\Program Files\PostgreSQL", "", "bin"),
            }
            : new List<(string, string, string)>
            {
                ("/usr/lib/postgresql", "", "bin"),                           // Debian, Ubuntu
                ("/usr", "pgsql-", "bin"),                                     // RHEL, Fedora (PGDG packages)
                ("/opt/homebrew/opt", "postgresql@", "bin"),                   // Homebrew on Apple silicon
                ("/usr/local/opt", "postgresql@", "bin"),                      // Homebrew on Intel
                ("/Applications/Postgres.app/Contents/Versions", "", "bin"),   // Postgres.app
            };

        var candidates = new List<(Version Version, string Directory)>();
        foreach (var (parent, prefix, bin) in patterns)
        {
            if (!System.IO.Directory.Exists(parent)) continue;
            foreach (var child in System.IO.Directory.EnumerateDirectories(parent, prefix + "*"))
            {
                if (ParseVersion(Path.GetFileName(child)[prefix.Length..]) is { } version)
                {
                    candidates.Add((version, Path.Combine(child, bin)));
                }
            }
        }

        // Numeric order, so 16 comes before 9.6.
        return candidates
            .OrderByDescending(c => c.Version)
            .Select(c => FromDirectory(c.Directory, "a standard location"))
            .FirstOrDefault(b => b is not null);
    }

    private static Version? ParseVersion(string text)
    {
        var match = LeadingVersion().Match(text);
        if (!match.Success) return null;
        var parts = match.Value.Split('.').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return parts.Length == 1 ? new Version(parts[0], 0) : new Version(parts[0], parts[1]);
    }

    private static string? FindOnPath(string path, string tool) =>
        SplitPath(path).Select(d => Path.Combine(d, ExecutableName(tool))).FirstOrDefault(File.Exists);

    private static IEnumerable<string> SplitPath(string path) =>
        path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(Path.IsPathFullyQualified);

    private static string? ResolveLink(string file)
    {
        try
        {
            return File.ResolveLinkTarget(file, returnFinalTarget: true)?.FullName;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private string Tool(string name) => Path.Combine(Directory, ExecutableName(name));

    private static string ExecutableName(string tool) => OperatingSystem.IsWindows() ? tool + ".exe" : tool;

    [GeneratedRegex(@"^\d+(\.\d+)?")]
    private static partial Regex LeadingVersion();

    [GeneratedRegex(@"\d+(\.\d+)*")]
    private static partial Regex VersionNumber();
}
