using System.Text;

namespace Migrations.Build.EndToEnd.Tests;

/// <summary>
/// A fresh project in a temp folder with a PackageReference to the packed Migrations.Build,
/// restored from the private feed only.
/// </summary>
public sealed class ConsumerProject : IDisposable
{
    private readonly PackageFixture _package;

    private readonly bool _integrityCheck;

    /// <param name="integrityCheck">
    /// The migrations.sum check is on by default in the package; tests of other behaviour turn it off so a
    /// missing sum (MIG304) does not mix into what they assert. IntegrityTests keep the default.
    /// </param>
    public ConsumerProject(PackageFixture package, string? extraProperties, bool integrityCheck = false)
    {
        _package = package;
        _integrityCheck = integrityCheck;
        Directory = Path.Combine(package.Root, "consumer-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(Path.Combine(Directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="migrations-build-under-test" value="{package.Feed}" />
              </packageSources>
            </configuration>
            """);
        WriteProject(extraProperties);
    }

    public string Directory { get; }
    public string ProjectPath => Path.Combine(Directory, "Consumer.csproj");
    public string MigrationsDirectory => Path.Combine(Directory, "migrations");

    /// <param name="frameworks">The framework element: TargetFramework, or TargetFrameworks for a multi-targeted project.</param>
    public void WriteProject(string? extraProperties, string frameworks = "<TargetFramework>net10.0</TargetFramework>")
    {
        File.WriteAllText(ProjectPath, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                {frameworks}
                {(_integrityCheck ? "" : "<MigrationIntegrityCheck>false</MigrationIntegrityCheck>")}
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Migrations.Build" Version="{PackageFixture.PackageVersion}" />
              </ItemGroup>
            </Project>
            """);
    }

    public string WriteMigration(string fileName, string content = "SELECT 1;\n", string? directory = null)
    {
        var folder = directory ?? MigrationsDirectory;
        System.IO.Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, fileName);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    public void WritePair(string baseName, string up = "SELECT 1;\n", string down = "SELECT 1;\n")
    {
        WriteMigration(baseName + ".up.sql", up);
        WriteMigration(baseName + ".down.sql", down);
    }

    public string SumPath => Path.Combine(MigrationsDirectory, "migrations.sum");

    /// <summary>dotnet msbuild when the first argument names a target (-t:…), else dotnet build; asserts the exit code.</summary>
    public CommandResult Run(bool succeeds, params string[] args)
    {
        var result = args.Length > 0 && args[0].StartsWith("-t:", StringComparison.Ordinal) ? MSBuild(args) : Build(args);
        Assert.True(succeeds == (result.ExitCode == 0), result.ToString());
        return result;
    }

    public CommandResult Build(params string[] args) => DotNet.Run(Directory, Environment(), ["build", ProjectPath, "-nologo", .. args]);

    public CommandResult MSBuild(params string[] args) => DotNet.Run(Directory, Environment(), ["msbuild", ProjectPath, "-nologo", "-restore", .. args]);

    /// <summary>dotnet msbuild, killed with SIGKILL (kill -9: no chance to clean up) once <paramref name="killWhen"/> holds.</summary>
    public CommandResult MSBuildKilled(Func<bool> killWhen, params string[] args) =>
        DotNet.Run(Directory, Environment(), killWhen, "KILL", ["msbuild", ProjectPath, "-nologo", "-restore", .. args]);

    /// <summary>dotnet msbuild, interrupted with Ctrl+C (SIGINT) once <paramref name="interruptWhen"/> holds.</summary>
    public CommandResult MSBuildInterrupted(Func<bool> interruptWhen, params string[] args) =>
        DotNet.Run(Directory, Environment(), interruptWhen, ["msbuild", ProjectPath, "-nologo", "-restore", .. args]);

    /// <summary>Extra environment for every command, e.g. MIGRATION_CONNECTION_STRING.</summary>
    public Dictionary<string, string> Variables { get; } = new();

    private Dictionary<string, string> Environment() => new(Variables) { ["NUGET_PACKAGES"] = _package.PackagesFolder };

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
