using Npgsql;

namespace Migrations.Build.Engine.Database.Fleet;

/// <summary>
/// Reads the databases of a many-database run: a file with one connection string or postgres:// URL per line
/// (blank lines and lines starting with '#' skipped), the rows of a query against a catalog database, or a list.
/// A problem names where the entry came from (file and line, query row), never its text: it may hold a password.
/// </summary>
public static class FleetList
{
    public static IReadOnlyList<FleetTarget> FromFile(string path, List<MigrationDiagnostic> problems)
    {
        if (!File.Exists(path))
        {
            problems.Add(new MigrationDiagnostic(DiagnosticCodes.FleetListInvalid, DiagnosticSeverity.Error,
                $"MigrationDatabasesFile '{path}' does not exist: write one connection string or postgres:// URL per line"));
            return [];
        }
        var targets = new List<FleetTarget>();
        var lines = File.ReadAllLines(path);
        var name = Path.GetFileName(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var origin = $"{name} line {i + 1}";
            if (TryParse(line, origin, out var target, out var error)) targets.Add(target!);
            else problems.Add(new MigrationDiagnostic(DiagnosticCodes.FleetListInvalid, DiagnosticSeverity.Error,
                $"line {i + 1} of MigrationDatabasesFile is not a usable connection string or postgres:// URL: {error}", Path.GetFullPath(path), i + 1, 1));
        }
        return targets;
    }

    /// <summary>Postgres URLs or connection strings given one by one (the items of a list property).</summary>
    public static IReadOnlyList<FleetTarget> FromList(IEnumerable<string> entries, string property, List<MigrationDiagnostic> problems)
    {
        var targets = new List<FleetTarget>();
        var n = 0;
        foreach (var entry in entries.Select(e => e.Trim()).Where(e => e.Length > 0))
        {
            n++;
            var origin = $"{property} entry {n}";
            if (TryParse(entry, origin, out var target, out var error)) targets.Add(target!);
            else problems.Add(new MigrationDiagnostic(DiagnosticCodes.FleetListInvalid, DiagnosticSeverity.Error,
                $"entry {n} of {property} is not a usable connection string or postgres:// URL: {error}"));
        }
        return targets;
    }

    /// <summary>
    /// The first column of every row <paramref name="query"/> returns on <paramref name="catalog"/>, as connection
    /// strings. Connection failures throw (as for any run); a failing query is a problem of the list.
    /// </summary>
    public static IReadOnlyList<FleetTarget> FromQuery(ConnectionSettings catalog, string query, List<MigrationDiagnostic> problems, CancellationToken cancel = default)
    {
        var targets = new List<FleetTarget>();
        using var connection = catalog.CreateConnection();
        connection.Open();
        using var command = new NpgsqlCommand(query, connection);
        NpgsqlDataReader reader;
        try
        {
            reader = command.ExecuteReader();
        }
        catch (PostgresException e)
        {
            problems.Add(new MigrationDiagnostic(DiagnosticCodes.FleetListInvalid, DiagnosticSeverity.Error,
                $"MigrationDatabasesQuery failed on {catalog.Description}: {e.MessageText} (SQLSTATE {e.SqlState})"));
            return [];
        }
        using (reader)
        {
            if (reader.FieldCount == 0)
            {
                problems.Add(new MigrationDiagnostic(DiagnosticCodes.FleetListInvalid, DiagnosticSeverity.Error,
                    "MigrationDatabasesQuery returns no column: it must return one connection string or postgres:// URL per row"));
                return [];
            }
            var row = 0;
            while (reader.Read())
            {
                cancel.ThrowIfCancellationRequested();
                row++;
                var origin = $"MigrationDatabasesQuery row {row}";
                var value = reader.IsDBNull(0) ? null : reader.GetValue(0) as string;
                string? error = null;
                if (value is null) error = reader.IsDBNull(0) ? "it is NULL" : "its first column is not text";
                else if (TryParse(value, origin, out var target, out error)) { targets.Add(target!); continue; }
                problems.Add(new MigrationDiagnostic(DiagnosticCodes.FleetListInvalid, DiagnosticSeverity.Error,
                    $"row {row} of MigrationDatabasesQuery is not a usable connection string or postgres:// URL: {error}"));
            }
        }
        return targets;
    }

    /// <summary>Each database once: a second entry for the same host, port and database is a problem (both would take the same lock).</summary>
    public static IReadOnlyList<FleetTarget> Distinct(IEnumerable<FleetTarget> targets, List<MigrationDiagnostic> problems)
    {
        var seen = new Dictionary<string, FleetTarget>(StringComparer.Ordinal);
        var result = new List<FleetTarget>();
        foreach (var target in targets)
        {
            if (seen.TryGetValue(target.Key, out var first))
            {
                problems.Add(new MigrationDiagnostic(DiagnosticCodes.FleetListInvalid, DiagnosticSeverity.Error,
                    $"{target.Connection.Description} is listed twice ({first.Origin} and {target.Origin}): list each database once"));
                continue;
            }
            seen.Add(target.Key, target);
            result.Add(target);
        }
        return result;
    }

    private static bool TryParse(string value, string origin, out FleetTarget? target, out string? error)
    {
        target = null;
        error = null;
        try
        {
            var settings = ConnectionSettings.Parse(value, origin);
            if (string.IsNullOrWhiteSpace(settings.Builder.Host))
            {
                error = "it names no Host";
                return false;
            }
            target = new FleetTarget(settings, origin);
            return true;
        }
        catch (ConnectionSettingsException e)
        {
            error = e.Message;
            return false;
        }
    }
}
