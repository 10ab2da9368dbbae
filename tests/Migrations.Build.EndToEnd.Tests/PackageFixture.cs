namespace Migrations.Build.EndToEnd.Tests;

/// <summary>
/// Packs Migrations.Build once per test run into a private feed, with a private NuGet packages folder,
/// so no consumer project can pick up a stale copy from the machine's global cache.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    public const string PackageVersion = "0.1.0";

    public PackageFixture()
    {
        RepositoryRoot = FindRepositoryRoot();
        Root = Path.Combine(Path.GetTempPath(), "mb-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        Feed = Path.Combine(Root, "feed");
        PackagesFolder = Path.Combine(Root, "packages");
        Directory.CreateDirectory(Feed);

        var pack = DotNet.Run(RepositoryRoot, null, "pack", Path.Combine(RepositoryRoot, "src", "Migrations.Build.Tasks"),
            "-c", "Release", "-o", Feed, "-p:PackageVersion=" + PackageVersion, "-nologo");
        PackagePath = Path.Combine(Feed, $"Migrations.Build.{PackageVersion}.nupkg");
        if (pack.ExitCode != 0 || !File.Exists(PackagePath))
        {
            Dispose(); // xunit never disposes a fixture whose constructor threw
            throw new InvalidOperationException($"dotnet pack did not produce {PackagePath}:\n{pack.Output}");
        }
    }

    public string RepositoryRoot { get; }
    public string Root { get; }
    public string Feed { get; }
    public string PackagesFolder { get; }
    public string PackagePath { get; }

    public ConsumerProject NewConsumer(string? extraProperties = null, bool integrityCheck = false) => new(this, extraProperties, integrityCheck);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
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
