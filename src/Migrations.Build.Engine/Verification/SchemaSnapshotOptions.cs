namespace Migrations.Build.Engine.Verification;

/// <summary>What <see cref="SchemaSnapshot.CaptureAsync"/> leaves out besides system and extension objects.</summary>
/// <param name="HistorySchema">Schema of the migrations history table.</param>
/// <param name="HistoryTable">Name of the history table. The table and everything on it (columns, indexes, owned
/// sequences) are left out: the runner writes to it on every up and down. So is its schema's own entry, which the runner
/// creates on demand; other objects in that schema are compared as usual.</param>
public sealed record SchemaSnapshotOptions(string HistorySchema = "public", string HistoryTable = "schema_migrations")
{
    public static SchemaSnapshotOptions Default { get; } = new();

    public static SchemaSnapshotOptions For(Database.HistoryTable history) => new(history.Schema, history.Table);
}
