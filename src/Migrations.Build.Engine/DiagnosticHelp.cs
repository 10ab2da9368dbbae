namespace Migrations.Build.Engine;

/// <summary>
/// Where each diagnostic code is documented: one entry per code in docs/diagnostics.md, anchored by the code
/// in lower case. The tasks attach <see cref="LinkFor"/> to every error and warning they log (IDEs and the
/// terminal logger show it as a link on the code). build/Migrations.Build.targets repeats the link for MIG013,
/// which it raises itself; a unit test keeps the two equal.
/// </summary>
public static class DiagnosticHelp
{
    /// <summary>The one place the documentation's address is written.</summary>
    public const string DocumentUrl = "https://github.com/migrations-build/migrations-build/blob/main/docs/diagnostics.md";

    /// <summary>The anchor of a code's entry: "mig206" for MIG206.</summary>
    public static string AnchorFor(string code) => code.ToLowerInvariant();

    /// <summary>The link to a code's entry, e.g. …/docs/diagnostics.md#mig206.</summary>
    public static string LinkFor(string code) => DocumentUrl + "#" + AnchorFor(code);
}
