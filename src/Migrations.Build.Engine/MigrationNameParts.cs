using System.Text.RegularExpressions;

namespace Migrations.Build.Engine;

/// <summary>
/// The table and columns a migration's name speaks of, for MigrateCreate's templates: create_orders,
/// add_status_to_orders, add_index_orders_on_status. Names are folded to SQL identifiers first (lower case,
/// '-' as '_'); a part that is not a plain identifier, or that the name does not tell, is null.
/// </summary>
public static partial class MigrationNameParts
{
    [GeneratedRegex("^(?:create_|add_)?(?<table>[a-z0-9_]+?)(?:_table)?$")]
    private static partial Regex CreateTableName();

    [GeneratedRegex("^add_(?:column_)?(?<column>[a-z0-9_]+?)_to_(?<table>[a-z0-9_]+)$")]
    private static partial Regex AddColumnName();

    // add_index_projects_owner, create_unique_index_on_projects_owner, index_projects_on_owner ...
    [GeneratedRegex("^(?:add_|create_)?(?:unique_)?index_(?:on_|to_|for_)?(?<target>[a-z0-9_]+)$")]
    private static partial Regex IndexFirstName();

    // ... or add_projects_owner_index, projects_owner_idx.
    [GeneratedRegex("^(?:add_|create_)?(?<target>[a-z0-9_]+?)_(?:index|idx)$")]
    private static partial Regex IndexLastName();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex PlainIdentifier();

    /// <summary>create_orders, add_orders_table, orders: the table to create.</summary>
    public static string? TableToCreate(string migrationName) =>
        Identifier(CreateTableName().Match(Fold(migrationName)).Groups["table"].Value);

    /// <summary>add_status_to_orders, add_column_status_to_orders: the column and its table.</summary>
    public static (string? Table, string? Column) ColumnToAdd(string migrationName)
    {
        var match = AddColumnName().Match(Fold(migrationName));
        return match.Success ? (Identifier(match.Groups["table"].Value), Identifier(match.Groups["column"].Value)) : (null, null);
    }

    /// <summary>
    /// What an index migration's name says it indexes, and a name for the index. "projects_on_owner_and_created_at" is
    /// table projects, columns owner and created_at; "projects_owner" is table projects, column owner; "projects" is the
    /// table alone. With more words and no "_on_", which ones name the table is anyone's guess: neither is given.
    /// </summary>
    public static (string? Table, IReadOnlyList<string>? Columns, string? IndexName) IndexTarget(string migrationName)
    {
        var folded = Fold(migrationName);
        var match = IndexFirstName().Match(folded);
        if (!match.Success) match = IndexLastName().Match(folded);
        if (!match.Success) return (null, null, null);

        var target = match.Groups["target"].Value;
        var on = target.IndexOf("_on_", StringComparison.Ordinal);
        string? table;
        string[]? columns;
        if (on > 0)
        {
            table = target[..on];
            columns = target[(on + 4)..].Split("_and_");
        }
        else
        {
            var words = target.Split('_');
            table = words.Length <= 2 ? words[0] : null;
            columns = words.Length == 2 ? [words[1]] : null;
        }

        table = Identifier(table);
        if (columns is not null && columns.Any(c => Identifier(c) is null)) columns = null;
        var indexName = table is not null && columns is not null ? $"idx_{table}_{string.Join('_', columns)}" : Identifier("idx_" + target);
        return (table, columns, indexName);
    }

    private static string Fold(string migrationName) => migrationName.ToLowerInvariant().Replace('-', '_');

    /// <summary>Only what PostgreSQL reads as a name unquoted: no leading digit, no empty part.</summary>
    private static string? Identifier(string? part) => part is not null && PlainIdentifier().IsMatch(part) ? part : null;
}
