using System.Collections.Frozen;
using System.Data;
using Npgsql;

namespace Migrations.Build.Engine.Verification;

/// <summary>
/// The user-defined schema of a database at one moment: schemas, tables and their columns, constraints and indexes,
/// views, sequences, types, routines, triggers, policies, rules and extensions (see <see cref="SchemaObjectKind"/>).
/// MigrateVerify takes one before an up and one after its down, and <see cref="Compare"/>s them.
/// </summary>
/// <remarks>
/// Left out: the system schemas (pg_catalog, information_schema, pg_toast, temporary schemas), everything that belongs
/// to an extension, and the migrations history table. Owners, tablespaces, statistics targets, extended statistics,
/// collations, operators, casts, text search objects, foreign servers, event triggers, publications and default
/// privileges are not compared; neither is column order (columns are compared by name).
/// </remarks>
public sealed class SchemaSnapshot
{
    private static readonly FrozenDictionary<string, SchemaObjectKind> KindsByKeyword = new Dictionary<string, SchemaObjectKind>
    {
        ["schema"] = SchemaObjectKind.Schema,
        ["extension"] = SchemaObjectKind.Extension,
        ["type"] = SchemaObjectKind.Type,
        ["domain"] = SchemaObjectKind.Domain,
        ["sequence"] = SchemaObjectKind.Sequence,
        ["table"] = SchemaObjectKind.Table,
        ["foreign table"] = SchemaObjectKind.ForeignTable,
        ["column"] = SchemaObjectKind.Column,
        ["constraint"] = SchemaObjectKind.Constraint,
        ["index"] = SchemaObjectKind.Index,
        ["view"] = SchemaObjectKind.View,
        ["materialized view"] = SchemaObjectKind.MaterializedView,
        ["function"] = SchemaObjectKind.Function,
        ["procedure"] = SchemaObjectKind.Procedure,
        ["aggregate"] = SchemaObjectKind.Aggregate,
        ["trigger"] = SchemaObjectKind.Trigger,
        ["policy"] = SchemaObjectKind.Policy,
        ["rule"] = SchemaObjectKind.Rule,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, SchemaEntry> _byIdentity;

    private SchemaSnapshot(IEnumerable<SchemaEntry> entries)
    {
        var sorted = entries.OrderBy(e => e, ReportOrder.Instance).ToArray();
        var byIdentity = new Dictionary<string, SchemaEntry>(StringComparer.Ordinal);
        foreach (var entry in sorted)
        {
            if (!byIdentity.TryAdd(entry.Identity, entry)) throw new ArgumentException($"two entries are named '{entry.Identity}'", nameof(entries));
        }
        Entries = Array.AsReadOnly(sorted);
        _byIdentity = byIdentity.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every entry, in report order: by <see cref="SchemaObjectKind"/>, then by identity (ordinal).</summary>
    public IReadOnlyList<SchemaEntry> Entries { get; }

    public int Count => Entries.Count;

    public bool Contains(string identity) => _byIdentity.ContainsKey(identity);

    /// <summary>The entry named <paramref name="identity"/> (e.g. "column public.users.email"), or null.</summary>
    public SchemaEntry? Find(string identity) => _byIdentity.GetValueOrDefault(identity);

    /// <summary>A snapshot of the given entries; for tests and for snapshots kept outside a database.</summary>
    /// <exception cref="ArgumentException">Two entries have the same identity.</exception>
    public static SchemaSnapshot From(IEnumerable<SchemaEntry> entries) => new(entries);

    /// <summary>
    /// Reads the schema of the connection's database: one batch of catalog queries, in one round trip, in a repeatable-read
    /// transaction of its own (so the connection must not be in one) that pins search_path for the duration.
    /// </summary>
    public static async Task<SchemaSnapshot> CaptureAsync(NpgsqlConnection connection, SchemaSnapshotOptions? options = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        options ??= SchemaSnapshotOptions.Default;

        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancel);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(SchemaCatalogQueries.PinSearchPath));
        foreach (var query in SchemaCatalogQueries.All)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(query)
            {
                Parameters =
                {
                    new NpgsqlParameter<string> { TypedValue = options.HistorySchema },
                    new NpgsqlParameter<string> { TypedValue = options.HistoryTable },
                },
            });
        }

        var entries = new List<SchemaEntry>();
        await using (var reader = await batch.ExecuteReaderAsync(cancel))
        {
            do
            {
                while (await reader.ReadAsync(cancel))
                {
                    var keyword = reader.GetString(0);
                    entries.Add(new SchemaEntry(
                        KindsByKeyword[keyword],
                        keyword + " " + reader.GetString(1),
                        reader.IsDBNull(3) ? "" : reader.GetString(3),
                        reader.IsDBNull(2) ? null : reader.GetString(2)));
                }
            } while (await reader.NextResultAsync(cancel));
        }
        // Nothing was written; rolling back also restores the session's search_path.
        await transaction.RollbackAsync(cancel);
        return new SchemaSnapshot(entries);
    }

    /// <summary>
    /// What differs from <paramref name="before"/> to <paramref name="after"/>. An added or removed entry whose parent
    /// (e.g. the table of a column) is itself added or removed is left out: the parent speaks for it.
    /// </summary>
    public static SchemaDifference Compare(SchemaSnapshot before, SchemaSnapshot after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);

        var added = after.Entries
            .Where(e => !before.Contains(e.Identity) && !(e.Parent is { } parent && after.Contains(parent) && !before.Contains(parent)))
            .Select(e => new SchemaChange(SchemaChangeKind.Added, e.Kind, e.Identity, null, e.Definition))
            .ToArray();
        var removed = before.Entries
            .Where(e => !after.Contains(e.Identity) && !(e.Parent is { } parent && before.Contains(parent) && !after.Contains(parent)))
            .Select(e => new SchemaChange(SchemaChangeKind.Removed, e.Kind, e.Identity, e.Definition, null))
            .ToArray();
        var changed = before.Entries
            .Where(e => after.Find(e.Identity) is { } later && !string.Equals(e.Definition, later.Definition, StringComparison.Ordinal))
            .Select(e => new SchemaChange(SchemaChangeKind.Changed, e.Kind, e.Identity, e.Definition, after.Find(e.Identity)!.Definition))
            .ToArray();
        return new SchemaDifference(added, removed, changed);
    }

    /// <summary>
    /// What an up/down round trip left different from <paramref name="beforeUp"/> to <paramref name="afterDown"/>, each
    /// difference with the script that made it (<see cref="SchemaChange.Origin"/>), told by <paramref name="afterUp"/>:
    /// a table gone after the down that was already gone after the up was dropped by the up, not by the down.
    /// </summary>
    public static SchemaDifference CompareRoundTrip(SchemaSnapshot beforeUp, SchemaSnapshot afterUp, SchemaSnapshot afterDown)
    {
        ArgumentNullException.ThrowIfNull(afterUp);
        var difference = Compare(beforeUp, afterDown);
        return new SchemaDifference(
            [.. difference.Added.Select(c => c with { Origin = afterUp.Contains(c.Identity) ? SchemaChangeOrigin.Up : SchemaChangeOrigin.Down })],
            [.. difference.Removed.Select(c => c with { Origin = afterUp.Contains(c.Identity) ? SchemaChangeOrigin.Down : SchemaChangeOrigin.Up })],
            [.. difference.Changed.Select(c => c with { Origin = ChangedBy(c, afterUp) })]);
    }

    /// <summary>Down when the up left the definition as it was before; otherwise the up changed it and the down did not restore it.</summary>
    private static SchemaChangeOrigin ChangedBy(SchemaChange change, SchemaSnapshot afterUp) =>
        string.Equals(afterUp.Find(change.Identity)?.Definition, change.Before, StringComparison.Ordinal) ? SchemaChangeOrigin.Down : SchemaChangeOrigin.Up;

    private sealed class ReportOrder : IComparer<SchemaEntry>
    {
        public static readonly ReportOrder Instance = new();

        public int Compare(SchemaEntry? x, SchemaEntry? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            var byKind = x.Kind.CompareTo(y.Kind);
            return byKind != 0 ? byKind : string.CompareOrdinal(x.Identity, y.Identity);
        }
    }
}
