namespace Migrations.Build.Engine.Linting;

/// <summary>
/// A rule's finding before suppressions are applied. <see cref="StatementIndex"/> is the statement it is
/// about, which a <c>-- migrate:ignore</c> comment must precede; -1 for findings about the whole file.
/// </summary>
internal readonly record struct LintFinding(string Code, DiagnosticSeverity Severity, string Message, TextPosition Position, int StatementIndex);
