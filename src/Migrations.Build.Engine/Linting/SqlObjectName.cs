namespace Migrations.Build.Engine.Linting;

/// <summary>
/// An object name as PostgreSQL resolves it: unquoted parts folded to lower case, quoted parts kept verbatim.
/// <see cref="Schema"/> is null when the SQL did not qualify the name (a database prefix is dropped).
/// </summary>
public sealed record SqlObjectName(string? Schema, string Name)
{
    /// <summary>
    /// True when both could be the same object: the names are equal and so are the schemas where both give one,
    /// since an unqualified name may resolve to any schema on the search_path.
    /// </summary>
    public bool Matches(SqlObjectName other) =>
        string.Equals(Name, other.Name, StringComparison.Ordinal) &&
        (Schema is null || other.Schema is null || string.Equals(Schema, other.Schema, StringComparison.Ordinal));

    public override string ToString() => Schema is null ? Name : Schema + "." + Name;
}
