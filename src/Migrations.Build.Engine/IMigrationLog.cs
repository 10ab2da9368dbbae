namespace Migrations.Build.Engine;

/// <summary>Where the engine reports progress and findings; the MSBuild tasks map it to their logger.</summary>
public interface IMigrationLog
{
    /// <summary>A line the user should see at normal verbosity (what was applied, summaries).</summary>
    void Info(string message);

    /// <summary>Detail for diagnostic verbosity.</summary>
    void Detail(string message);

    void Report(MigrationDiagnostic diagnostic);
}
