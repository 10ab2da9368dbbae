namespace Migrations.Build.Engine.Linting;

/// <summary>
/// MIG116: in the paired layout, every table, index, type, routine, view, sequence, trigger or schema the up script
/// creates should be gone after the down script, or rolling back leaves it behind and the next up fails. Gone means
/// what PostgreSQL would do (<see cref="DroppedObjects"/>): dropped by name, or along with what it depends on
/// (an index with its table or column, everything with its schema, dependents with CASCADE).
/// </summary>
internal static class DownScriptReversal
{
    public static void Check(ScriptLinter up, ScriptLinter down)
    {
        var created = CreatedObjects(up);
        if (created.Count == 0) return;

        var dropped = new DroppedObjects();
        foreach (var info in down.Statements) dropped.Observe(info);
        var gone = dropped.Take(created);
        for (var i = 0; i < created.Count; i++)
        {
            var o = created[i];
            if (gone[i] || IsPutBack(o, down)) continue;
            var kind = StatementClassifier.KindKeyword(o.Kind);
            var on = o.Kind == SqlObjectKind.Trigger && o.Table is { } table ? $" ON {table}" : "";
            down.Add(LintCodes.DownDoesNotReverseUp, DiagnosticSeverity.Warning,
                $"'{up.Script.FileName}' creates {kind} {o.Name} (line {o.Statement.Statement.StartLine}) but this down script never drops it, " +
                $"so rolling back leaves it behind and applying the up again fails: add 'DROP {kind} IF EXISTS {o.Name}{on};'",
                TextPosition.Start, -1);
        }
    }

    /// <summary>What the up script creates and does not take away again itself, in order, under the names it ends with.</summary>
    private static List<CreatedObject> CreatedObjects(ScriptLinter up)
    {
        var created = new List<CreatedObject>();
        List<SqlObjectName>? temporary = null;
        foreach (var info in up.Statements)
        {
            if (info.Kind == StatementKind.Create && info.Names.Count > 0)
            {
                var name = info.Names[0];
                if (info.Temporary) (temporary ??= []).Add(name);
                // An index or trigger on a temporary table goes with it at the end of the session.
                else if (IsTracked(info.ObjectKind) && !(info.Table is { } on && temporary?.Exists(t => t.Matches(on)) == true) &&
                         !created.Exists(c => SameFamily(c.Kind, info.ObjectKind) && c.Name.Matches(name)))
                    created.Add(new CreatedObject(info, info.ObjectKind, name));
            }
            else if (info.Kind == StatementKind.Alter && info.Names.Count > 0)
            {
                if (info.RenamedTo is { } renamed)
                    foreach (var c in created) c.Rename(info.ObjectKind, info.Names[0], renamed);
                if (info.ObjectKind == SqlObjectKind.Sequence && info.OwnedBy is { } owner)
                    foreach (var c in created)
                        if (c.Kind == SqlObjectKind.Sequence && c.Name.Matches(info.Names[0])) c.OwnedBy = owner;
            }

            // A helper object the up drops again needs no undoing.
            if (info.Kind is StatementKind.Drop or StatementKind.Alter && created.Count > 0)
            {
                var dropped = new DroppedObjects();
                dropped.Observe(info);
                if (dropped.IsEmpty) continue;
                var gone = dropped.Take(created);
                for (var i = created.Count - 1; i >= 0; i--)
                    if (gone[i]) created.RemoveAt(i);
            }
        }

        return created;
    }

    /// <summary>CREATE OR REPLACE in the up may replace an existing routine or view: the down then puts the old one back.</summary>
    private static bool IsPutBack(CreatedObject created, ScriptLinter down)
    {
        if (!created.Statement.OrReplace) return false;
        foreach (var info in down.Statements)
        {
            if (info.Kind == StatementKind.Create && info.OrReplace && SameFamily(info.ObjectKind, created.Kind) &&
                info.Names.Count > 0 && info.Names[0].Matches(created.Name)) return true;
        }

        return false;
    }

    private static bool IsTracked(SqlObjectKind kind) => kind is SqlObjectKind.Table or SqlObjectKind.Index or SqlObjectKind.Type
        or SqlObjectKind.Function or SqlObjectKind.Procedure or SqlObjectKind.View or SqlObjectKind.MaterializedView
        or SqlObjectKind.Sequence or SqlObjectKind.Schema or SqlObjectKind.Trigger;

    /// <summary>DROP FUNCTION, DROP PROCEDURE and DROP ROUTINE all undo a routine.</summary>
    public static bool SameFamily(SqlObjectKind a, SqlObjectKind b) =>
        a == b || (a is SqlObjectKind.Function or SqlObjectKind.Procedure && b is SqlObjectKind.Function or SqlObjectKind.Procedure);
}
