namespace Migrations.Build.Engine.Linting;

/// <summary>
/// MIG116: in the paired layout, every table, index, type, routine, view, sequence or schema the up script
/// creates should be dropped by the down script, or rolling back leaves it behind and the next up fails.
/// Dropping a table also drops its indexes, and dropping a schema drops what the up created in it.
/// </summary>
internal static class DownScriptReversal
{
    public static void Check(ScriptLinter up, ScriptLinter down)
    {
        var created = CreatedObjects(up);
        if (created.Count == 0) return;

        foreach (var (info, name) in created)
        {
            if (IsReversed(info, name, down)) continue;
            var kind = StatementClassifier.KindKeyword(info.ObjectKind);
            down.Add(LintCodes.DownDoesNotReverseUp, DiagnosticSeverity.Warning,
                $"'{up.Script.FileName}' creates {kind} {name} (line {info.Statement.StartLine}) but this down script never drops it, " +
                $"so rolling back leaves it behind and applying the up again fails: add 'DROP {kind} IF EXISTS {name};'",
                TextPosition.Start, -1);
        }
    }

    /// <summary>What the up script creates and does not drop again itself, in order.</summary>
    private static List<(StatementInfo Info, SqlObjectName Name)> CreatedObjects(ScriptLinter up)
    {
        var created = new List<(StatementInfo, SqlObjectName)>();
        foreach (var info in up.Statements)
        {
            if (info.Names.Count == 0) continue;
            if (info.Kind == StatementKind.Create && IsTracked(info.ObjectKind) && !info.Temporary)
            {
                var name = info.Names[0];
                if (!created.Exists(c => SameFamily(c.Item1.ObjectKind, info.ObjectKind) && c.Item2.Matches(name))) created.Add((info, name));
            }
            else if (info.Kind == StatementKind.Drop)
            {
                // A helper object the up drops again needs no undoing.
                created.RemoveAll(c => SameFamily(c.Item1.ObjectKind, info.ObjectKind) && Contains(info.Names, c.Item2));
            }
        }

        return created;
    }

    private static bool IsReversed(StatementInfo created, SqlObjectName name, ScriptLinter down)
    {
        foreach (var info in down.Statements)
        {
            if (info.Kind == StatementKind.Drop)
            {
                if (SameFamily(info.ObjectKind, created.ObjectKind) && Contains(info.Names, name)) return true;
                if (info.ObjectKind == SqlObjectKind.Table && created.ObjectKind == SqlObjectKind.Index &&
                    created.Table is { } table && Contains(info.Names, table)) return true;
                if (info.ObjectKind == SqlObjectKind.Schema && name.Schema is { } schema && ContainsName(info.Names, schema)) return true;
            }
            // CREATE OR REPLACE in the up may replace an existing routine or view: the down then puts the old one back.
            else if (info.Kind == StatementKind.Create && created.OrReplace && info.OrReplace &&
                     SameFamily(info.ObjectKind, created.ObjectKind) && Contains(info.Names, name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTracked(SqlObjectKind kind) => kind is SqlObjectKind.Table or SqlObjectKind.Index or SqlObjectKind.Type
        or SqlObjectKind.Function or SqlObjectKind.Procedure or SqlObjectKind.View or SqlObjectKind.MaterializedView
        or SqlObjectKind.Sequence or SqlObjectKind.Schema;

    /// <summary>DROP FUNCTION, DROP PROCEDURE and DROP ROUTINE all undo a routine.</summary>
    private static bool SameFamily(SqlObjectKind a, SqlObjectKind b) =>
        a == b || (a is SqlObjectKind.Function or SqlObjectKind.Procedure && b is SqlObjectKind.Function or SqlObjectKind.Procedure);

    private static bool Contains(IReadOnlyList<SqlObjectName> names, SqlObjectName name)
    {
        foreach (var candidate in names)
            if (candidate.Matches(name)) return true;
        return false;
    }

    /// <summary>A schema's name among unqualified names (DROP SCHEMA app).</summary>
    private static bool ContainsName(IReadOnlyList<SqlObjectName> names, string schema)
    {
        foreach (var candidate in names)
            if (candidate.Schema is null && string.Equals(candidate.Name, schema, StringComparison.Ordinal)) return true;
        return false;
    }
}
