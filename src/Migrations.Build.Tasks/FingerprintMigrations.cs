using Microsoft.Build.Framework;
using Migrations.Build.Engine;

namespace Migrations.Build.Tasks;

/// <summary>
/// Records what validation depends on in <see cref="FingerprintFile"/>, touching it only on a change:
/// MigrateValidate lists that one file as its input instead of every migration.
/// </summary>
public sealed class FingerprintMigrations : Microsoft.Build.Utilities.Task
{
    [Required]
    public string MigrationsDirectory { get; set; } = "";

    /// <summary>Every setting that can change validation's outcome, as one string.</summary>
    public string Settings { get; set; } = "";

    [Required]
    public string FingerprintFile { get; set; } = "";

    public override bool Execute()
    {
        var fingerprint = MigrationFolderFingerprint.Compute(MigrationsDirectory, Settings);
        if (MigrationFolderFingerprint.WriteIfChanged(FingerprintFile, fingerprint))
        {
            Log.LogMessage(MessageImportance.Low, "Migrations or their settings changed since the last validation.");
        }
        return true;
    }
}
