using System.Text.RegularExpressions;

namespace Migrations.Build.Engine.Verification;

/// <summary>One entry that differs between two snapshots, worded for an up/down round trip (before the up, after the down).</summary>
/// <param name="Before">The definition before; null when <see cref="Kind"/> is <see cref="SchemaChangeKind.Added"/>.</param>
/// <param name="After">The definition after; null when <see cref="Kind"/> is <see cref="SchemaChangeKind.Removed"/>.</param>
public sealed partial record SchemaChange(SchemaChangeKind Kind, SchemaObjectKind ObjectKind, string Identity, string? Before, string? After)
{
    // Views and function headers run long; a changed line shows the part that differs with this much around it.
    private const int ShortDefinition = 80;
    private const int Context = 24;

    /// <summary>Which script made the change, when the snapshot between the up and the down was compared too.</summary>
    public SchemaChangeOrigin Origin { get; init; }

    /// <summary>
    /// E.g. "column public.users.email changed by the up, not restored by the down: text NOT NULL → character varying(100)".
    /// It names the script that did it only when <see cref="Origin"/> is known: blaming the down for what the up did
    /// sends the reader to the wrong file.
    /// </summary>
    public string Description => (Kind, Origin) switch
    {
        (SchemaChangeKind.Added, SchemaChangeOrigin.Up) => $"{Identity} is still there (added by the up, not dropped by the down)",
        (SchemaChangeKind.Added, SchemaChangeOrigin.Down) => $"{Identity} is new (created by the down; it did not exist before the up)",
        (SchemaChangeKind.Added, _) => $"{Identity} is there after the down but was not before the up",
        (SchemaChangeKind.Removed, SchemaChangeOrigin.Up) => $"{Identity} is gone (dropped by the up, not recreated by the down)",
        (SchemaChangeKind.Removed, SchemaChangeOrigin.Down) => $"{Identity} is gone (dropped by the down but it existed before the up)",
        (SchemaChangeKind.Removed, _) => $"{Identity} is gone (it existed before the up, not after the down)",
        (_, SchemaChangeOrigin.Up) => $"{Identity} changed by the up, not restored by the down: {DescribeChange(Before ?? "", After ?? "")}",
        (_, SchemaChangeOrigin.Down) => $"{Identity} changed by the down: {DescribeChange(Before ?? "", After ?? "")}",
        _ => $"{Identity} changed: {DescribeChange(Before ?? "", After ?? "")}",
    };

    public override string ToString() => Description;

    private static string DescribeChange(string before, string after)
    {
        before = Whitespace().Replace(before, " ").Trim();
        after = Whitespace().Replace(after, " ").Trim();
        if (before.Length <= ShortDefinition && after.Length <= ShortDefinition) return $"{Show(before)} → {Show(after)}";

        // Long definitions: keep what differs, with some context, and elide the common start and end.
        var prefix = 0;
        while (prefix < before.Length && prefix < after.Length && before[prefix] == after[prefix]) prefix++;
        var suffix = 0;
        while (suffix < before.Length - prefix && suffix < after.Length - prefix && before[^(suffix + 1)] == after[^(suffix + 1)]) suffix++;
        // Whole words of context: cut at the spaces just outside it (both strings share the parts cut off).
        var start = prefix - Context <= 0 ? 0 : before.LastIndexOf(' ', prefix - Context) + 1;
        var contextEnd = before.Length - suffix + Context;
        var space = contextEnd >= before.Length ? -1 : before.IndexOf(' ', contextEnd);
        var endTrim = space < 0 ? 0 : before.Length - space;
        return $"{Cut(before, start, endTrim)} → {Cut(after, start, endTrim)}";
    }

    private static string Cut(string text, int start, int endTrim)
    {
        var middle = text[start..(text.Length - endTrim)];
        return Show((start > 0 ? "…" : "") + middle + (endTrim > 0 ? "…" : ""));
    }

    private static string Show(string definition) => definition.Length == 0 ? "(nothing)" : definition;

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
