using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Migrations.Build.Engine;

namespace Migrations.Build.Tasks;

/// <summary>The engine's log, written to MSBuild's: progress at high importance, findings as diagnostics.</summary>
internal sealed class TaskMigrationLog(TaskLoggingHelper log) : IMigrationLog
{
    public void Info(string message) => log.LogMessage(MessageImportance.High, "{0}", message);

    public void Detail(string message) => log.LogMessage(MessageImportance.Low, "{0}", message);

    public void Report(MigrationDiagnostic diagnostic) => log.LogDiagnostic(diagnostic);
}
