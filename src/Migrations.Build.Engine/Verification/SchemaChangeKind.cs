namespace Migrations.Build.Engine.Verification;

public enum SchemaChangeKind
{
    /// <summary>Exists in the later snapshot only (<see cref="SchemaChange.Origin"/> says which script created it).</summary>
    Added,

    /// <summary>Exists in the earlier snapshot only (<see cref="SchemaChange.Origin"/> says which script dropped it).</summary>
    Removed,

    /// <summary>Exists in both with different definitions.</summary>
    Changed,
}
