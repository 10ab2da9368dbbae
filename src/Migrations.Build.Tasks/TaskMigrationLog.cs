using Microsoft.Build.Framework;
using Migrations.Build.Engine;

namespace Migrations.Build.Tasks;

/// <summary>The engine's log, written to MSBuild's: progress at high importance, findings as diagnostics.</summary>
internal sealed class TaskMigrationLog(MigrationsTask task) : IMigrationLog
{
    public void Info(string message) => task.Log.LogMessage(MessageImportance.High, "{0}", message);

    public void Detail(string message) => task.Log.LogMessage(MessageImportance.Low, "{0}", message);

    public void Report(MigrationDiagnostic diagnostic) => task.LogDiagnostic(diagnostic);
}
