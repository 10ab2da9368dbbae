namespace Migrations.Build.Engine.Verification;

public enum SchemaChangeKind
{
    /// <summary>Exists in the later snapshot only: the up created it and the down left it.</summary>
    Added,

    /// <summary>Exists in the earlier snapshot only: the down dropped something the up did not create.</summary>
    Removed,

    /// <summary>Exists in both with different definitions.</summary>
    Changed,
}
