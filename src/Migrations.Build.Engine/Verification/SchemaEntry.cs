namespace Migrations.Build.Engine.Verification;

/// <summary>
/// One object of a <see cref="SchemaSnapshot"/>. Two snapshots compare as dictionaries of
/// <see cref="Identity"/> to <see cref="Definition"/>.
/// </summary>
/// <param name="Kind">What the object is.</param>
/// <param name="Identity">Kind and quoted, schema-qualified name, unique in a snapshot: "table public.users",
/// "column public.users.email", "index public.idx_users_email", "function public.f(integer)".</param>
/// <param name="Definition">Everything compared about the object but its name, as PostgreSQL renders it
/// (e.g. "text NOT NULL DEFAULT ''::text" for a column); empty when there is nothing beyond its existence.</param>
/// <param name="Parent">Identity of the object this one goes with (a column's table, an owned sequence's column),
/// so that a dropped table is reported once rather than with each of its columns; null for top-level objects.</param>
public sealed record SchemaEntry(SchemaObjectKind Kind, string Identity, string Definition, string? Parent = null)
{
    public override string ToString() => Definition.Length == 0 ? Identity : $"{Identity}: {Definition}";
}
