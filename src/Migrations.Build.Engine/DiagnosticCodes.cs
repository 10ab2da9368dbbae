namespace Migrations.Build.Engine;

/// <summary>
/// The stable diagnostic codes. Never renumber or reuse a code: users suppress them by number.
/// MIG0xx: the migrations folder and its files. MIG05x: authoring (MigrateCreate).
/// README.md documents each one (severity, meaning, fix, suppression).
/// </summary>
public static class DiagnosticCodes
{
    public const string InvalidFileName = "MIG001";
    public const string DuplicateVersion = "MIG002";
    public const string MissingDownScript = "MIG003";
    public const string MissingUpScript = "MIG004";
    public const string MixedLayouts = "MIG005";
    public const string InconsistentPadding = "MIG006";
    public const string VersionGap = "MIG007";
    public const string EmptyUpScript = "MIG008";
    public const string EmptyDownScript = "MIG009";
    public const string InvalidUtf8 = "MIG010";
    public const string DirectoryNotFound = "MIG011";
    public const string InvalidSetting = "MIG012";

    public const string InvalidMigrationName = "MIG050";
    public const string UnknownTemplate = "MIG051";
    public const string CannotCreateMigration = "MIG052";
}
