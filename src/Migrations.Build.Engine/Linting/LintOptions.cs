namespace Migrations.Build.Engine.Linting;

/// <summary>Which optional lint rules run.</summary>
public sealed record LintOptions
{
    public static LintOptions Default { get; } = new();

    /// <summary>MIG117: every CREATE needs IF NOT EXISTS and every DROP needs IF EXISTS, so scripts can be re-run.</summary>
    public bool RequireIfExists { get; init; }
}
