namespace Migrations.Build.Engine.Database.Fleet;

/// <summary>
/// What one database's runner logs, kept until it finishes so that its lines print as one block instead of
/// interleaving with other databases'. Thread-safe: the runner's progress timer writes from its own thread.
/// </summary>
internal sealed class BufferedLog : IMigrationLog
{
    private readonly List<Entry> _entries = [];

    public void Info(string message) => Add(new Entry(EntryKind.Info, message, null));

    public void Detail(string message) => Add(new Entry(EntryKind.Detail, message, null));

    public void Report(MigrationDiagnostic diagnostic) => Add(new Entry(EntryKind.Diagnostic, null, diagnostic));

    private void Add(Entry entry)
    {
        lock (_entries) _entries.Add(entry);
    }

    public IReadOnlyList<Entry> Entries
    {
        get { lock (_entries) return _entries.ToList(); }
    }

    public IEnumerable<MigrationDiagnostic> Errors => Entries.Where(e => e.Diagnostic?.IsError == true).Select(e => e.Diagnostic!);

    /// <summary>Writes the block to <paramref name="log"/>, each line prefixed with the database.</summary>
    public void CopyTo(IMigrationLog log, string prefix)
    {
        foreach (var entry in Entries)
        {
            switch (entry.Kind)
            {
                case EntryKind.Info: log.Info($"{prefix}: {entry.Message}"); break;
                case EntryKind.Detail: log.Detail($"{prefix}: {entry.Message}"); break;
                default: log.Report(entry.Diagnostic! with { Message = $"{prefix}: {entry.Diagnostic!.Message}" }); break;
            }
        }
    }

    public enum EntryKind { Info, Detail, Diagnostic }

    public sealed record Entry(EntryKind Kind, string? Message, MigrationDiagnostic? Diagnostic);
}
