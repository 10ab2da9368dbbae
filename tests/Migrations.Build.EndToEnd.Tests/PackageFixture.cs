namespace Migrations.Build.EndToEnd.Tests;

/// <summary>
/// Packs Migrations.Build once per test run into a private feed; each fixture gets its own NuGet packages
/// folder, so no consumer project can pick up a stale copy from the machine's global cache.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    public const string PackageVersion = "0.1.0";

    // Every collection uses the package, and xunit runs collections at once: two packs of one project would race on
    // its obj/ folder (crossgen2 died of SIGBUS reading an assembly the other pack was rewriting).
    private static readonly Lazy<(string Root, string Feed)> Packed = new(Pack, LazyThreadSafetyMode.ExecutionAndPublication);

    public PackageFixture()
    {
        RepositoryRoot = FindRepositoryRoot();
        Root = Path.Combine(Path.GetTempPath(), "mb-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        PackagesFolder = Path.Combine(Root, "packages");
        Feed = Packed.Value.Feed;
        Directory.CreateDirectory(Root);
        PackagePath = Path.Combine(Feed, $"Migrations.Build.{PackageVersion}.nupkg");
    }

    private static (string Root, string Feed) Pack()
    {
        var repository = FindRepositoryRoot();
        var root = Path.Combine(Path.GetTempPath(), "mb-e2e-feed-" + Guid.NewGuid().ToString("N")[..10]);
        var feed = Path.Combine(root, "feed");
        Directory.CreateDirectory(feed);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(root);

        var pack = DotNet.Run(repository, null, "pack", Path.Combine(repository, "src", "Migrations.Build.Tasks"),
            "-c", "Release", "-o", feed, "-p:PackageVersion=" + PackageVersion, "-nologo");
        var package = Path.Combine(feed, $"Migrations.Build.{PackageVersion}.nupkg");
        if (pack.ExitCode != 0 || !File.Exists(package))
        {
            DeleteQuietly(root); // xunit never disposes a fixture whose constructor threw
            throw new InvalidOperationException($"dotnet pack did not produce {package}:\n{pack.Output}");
        }
        return (root, feed);
    }

    public string RepositoryRoot { get; }
    public string Root { get; }
    public string Feed { get; }
    public string PackagesFolder { get; }
    public string PackagePath { get; }

    public ConsumerProject NewConsumer(string? extraProperties = null, bool integrityCheck = false) => new(this, extraProperties, integrityCheck);

    public void Dispose() => DeleteQuietly(Root);

    private static void DeleteQuietly(string directory)
    {
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Migrations.Build.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Migrations.Build.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "package";
}

[CollectionDefinition(Name)]
public sealed class ValidationCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "package: validation";
}

[CollectionDefinition(Name)]
public sealed class IntegrityCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "package: integrity";
}
