using System.Text;

namespace Migrations.Build.Engine.Verification;

/// <summary>
/// What differs between two snapshots (<see cref="SchemaSnapshot.Compare"/>). An object that went with its parent
/// is not listed on its own: a table left behind is one entry, not one per column and index.
/// </summary>
public sealed class SchemaDifference
{
    internal SchemaDifference(SchemaChange[] added, SchemaChange[] removed, SchemaChange[] changed)
    {
        Added = Array.AsReadOnly(added);
        Removed = Array.AsReadOnly(removed);
        Changed = Array.AsReadOnly(changed);
        All = Array.AsReadOnly<SchemaChange>([.. added, .. removed, .. changed]);
    }

    /// <summary>Objects that exist after but not before.</summary>
    public IReadOnlyList<SchemaChange> Added { get; }

    /// <summary>Objects that existed before but not after.</summary>
    public IReadOnlyList<SchemaChange> Removed { get; }

    /// <summary>Objects whose definition differs.</summary>
    public IReadOnlyList<SchemaChange> Changed { get; }

    /// <summary>Added, then removed, then changed; each in report order (containers first, then by identity).</summary>
    public IReadOnlyList<SchemaChange> All { get; }

    public bool IsEmpty => All.Count == 0;

    /// <summary>One line per difference, at most <paramref name="max"/> of them, then "… and N more".</summary>
    public string Describe(int max = 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (IsEmpty) return "no schema differences";
        var text = new StringBuilder();
        foreach (var change in All.Take(max))
        {
            if (text.Length > 0) text.AppendLine();
            text.Append(change.Description);
        }
        if (All.Count > max)
        {
            if (text.Length > 0) text.AppendLine();
            text.Append($"… and {All.Count - max} more");
        }
        return text.ToString();
    }

    public override string ToString() => Describe();
}
