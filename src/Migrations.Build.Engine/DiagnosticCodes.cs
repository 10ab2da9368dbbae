namespace Migrations.Build.Engine;

/// <summary>
/// The stable diagnostic codes. Never renumber or reuse a code: users suppress them by number.
/// MIG0xx: the migrations folder and its files. MIG05x: authoring (MigrateCreate).
/// MIG1xx: SQL inside the files. MIG2xx: applying migrations to a database. MIG3xx: team workflow (integrity file, verify).
/// docs/diagnostics.md documents each one (severity, meaning, fix, suppression); <see cref="DiagnosticHelp"/> links to it.
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
    public const string UnsupportedMSBuild = "MIG013"; // emitted by the targets, not the engine

    public const string InvalidMigrationName = "MIG050";
    public const string UnknownTemplate = "MIG051";
    public const string CannotCreateMigration = "MIG052";

    public const string UnterminatedSql = "MIG101";
    public const string PsqlMetaCommand = "MIG102";
    public const string CopyWithClientData = "MIG103";
    public const string UnclosedParenthesis = "MIG104";
    // MIG110-MIG119, the SQL lint rules: Linting.LintCodes.
    public const string InvalidDirective = "MIG120";

    public const string NoDatabase = "MIG200";
    public const string CannotConnect = "MIG201";
    public const string AuthenticationFailed = "MIG202";
    public const string DatabaseNotFound = "MIG203";
    public const string PermissionDenied = "MIG204";
    public const string LockTimeout = "MIG205";
    public const string MigrationFailed = "MIG206";
    public const string DirtyMigration = "MIG207";
    public const string AppliedMigrationChanged = "MIG208";
    public const string NonTransactionalMigrationFailed = "MIG209";
    public const string MissingDownForRollback = "MIG210";
    public const string AppliedMigrationMissing = "MIG211";
    public const string PendingMigrations = "MIG212";
    public const string HistoryForced = "MIG213";
    public const string BaselineRefused = "MIG214";
    public const string PasswordInProperty = "MIG215";
    public const string TransactionControlInMigration = "MIG216";
    public const string UnknownHistoryTable = "MIG217";
    public const string DatabaseError = "MIG218";
    public const string DestructiveMigrationRefused = "MIG219";
    public const string OutOfOrderMigration = "MIG220";
    public const string NonTransactionalInAllMode = "MIG221";
    public const string RunCancelled = "MIG222";
    public const string StatementLockTimedOut = "MIG223";

    public const string MigrationChangedSinceRecorded = "MIG301";
    public const string MigrationNotInIntegrityFile = "MIG302";
    public const string RecordedMigrationMissing = "MIG303";
    public const string NoIntegrityFile = "MIG304";
    public const string IntegrityFileConflict = "MIG305";
    public const string RenumberRefused = "MIG306";
    public const string DownDoesNotRestoreSchema = "MIG310";
    public const string VerifyDatabaseNotEmpty = "MIG311";
}
