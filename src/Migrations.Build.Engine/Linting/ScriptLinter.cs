using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Linting;

/// <summary>
/// Lints one script: splits and classifies it once, runs the per-statement rules, collects findings from
/// the cross-file rule (<see cref="DownScriptReversal"/>), then applies the script's suppressions.
/// </summary>
internal sealed class ScriptLinter
{
    private readonly List<LintFinding> _findings = [];
    private readonly LintOptions _options;
    private readonly SqlSplitResult _split;

    public ScriptLinter(MigrationScript script, LintOptions options)
    {
        Script = script;
        _options = options;
        var text = script.Text ?? "";
        _split = SqlStatementSplitter.Split(text);
        var statements = new StatementInfo[_split.Statements.Count];
        for (var i = 0; i < statements.Length; i++) statements[i] = StatementClassifier.Classify(_split.Statements[i]);
        Statements = statements;
        Transactional = !MigrationScriptPlan.HasNoTransactionDirective(text);
    }

    public MigrationScript Script { get; }

    public IReadOnlyList<StatementInfo> Statements { get; }

    /// <summary>The end of the file was swallowed by an unterminated construct (MIG101, MIG104): how the file ends is unknown.</summary>
    public bool SwallowsRest => _split.SwallowsRest;

    /// <summary>False when the script is marked <c>-- migrate:no-transaction</c>.</summary>
    public bool Transactional { get; }

    /// <summary>Up and forward-only scripts change the schema going forward; down scripts undo (and so drop) things.</summary>
    public bool IsDown => Script.Name.Kind == MigrationFileKind.Down;

    public void Add(string code, DiagnosticSeverity severity, string message, TextPosition position, int statementIndex) =>
        _findings.Add(new LintFinding(code, severity, message, position, statementIndex));

    /// <summary>The rules that look at this script alone.</summary>
    public void CheckStatements()
    {
        TransactionRules.Check(this);

        var created = new CreatedTables();
        for (var i = 0; i < Statements.Count; i++)
        {
            var info = Statements[i];
            if (info.IsDestructive && !IsDown && !created.DropsOnlyNew(info)) DestructiveStatement(info, i);
            if (info.Cascade && info.CascadeToken is { } cascade) Cascade(info, cascade, i);
            if (info.Kind == StatementKind.Alter && info.ObjectKind == SqlObjectKind.Table && info.Table is { } altered &&
                !created.Contains(altered))
            {
                foreach (var action in info.AlterTableActions)
                    if (action.AddsNotNullWithoutValue) NotNullWithoutDefault(info, action, altered, i);
            }

            if (info.Kind == StatementKind.Create && info.ObjectKind == SqlObjectKind.Index && !info.Concurrently &&
                info.Table is { } indexed && !created.Contains(indexed))
                IndexWithoutConcurrently(info, indexed, i);
            if (_options.RequireIfExists) MissingIfExists(info, i);
            TemplatePlaceholders(info, i);
            created.Observe(info);
        }
    }

    /// <summary>
    /// The diagnostics: SQL problems (never suppressible), then the findings that no suppression covers and the
    /// suppressions that covered nothing, in file order. <paramref name="pairChecked"/>: whether MIG116 ran.
    /// </summary>
    public void Finish(List<MigrationDiagnostic> output, bool pairChecked)
    {
        var path = Script.Path;
        foreach (var problem in _split.Problems)
            output.Add(new MigrationDiagnostic(problem.Code, DiagnosticSeverity.Error, problem.Message, path, problem.Position.Line, problem.Position.Column));
        // A malformed timeout directive (MIG120) fails the build, not the deploy that would read it.
        output.AddRange(MigrationScriptPlan.ReadTimeoutDirectives(_split.Source, path).Problems);

        var suppressions = LintSuppressions.Parse(_split.Source, _split.Statements);
        // Most scripts have neither findings nor suppressions: nothing to filter, order or report.
        if (_findings.Count == 0 && suppressions.IsEmpty) return;

        var kept = new List<LintFinding>(_findings.Count);
        foreach (var finding in _findings)
            if (!suppressions.Suppresses(finding)) kept.Add(finding);
        kept.AddRange(suppressions.Problems);
        kept.AddRange(suppressions.Unused(code =>
            (code != LintCodes.MissingIfExists || _options.RequireIfExists) && (code != LintCodes.DownDoesNotReverseUp || pairChecked)));

        IEnumerable<LintFinding> ordered = kept.Count < 2 ? kept : kept.OrderBy(f => f.Position.Line).ThenBy(f => f.Position.Column);
        foreach (var finding in ordered)
            output.Add(new MigrationDiagnostic(finding.Code, finding.Severity, finding.Message, path, finding.Position.Line, finding.Position.Column));
    }

    /// <summary>Line and column of an offset inside <paramref name="statement"/>: counts only the statement's own lines.</summary>
    public static TextPosition PositionOf(SqlStatement statement, int offset)
    {
        if (offset <= statement.Start) return statement.StartPosition;
        var between = statement.Source.AsSpan(statement.Start, Math.Min(offset, statement.Source.Length) - statement.Start);
        var lastBreak = between.LastIndexOf('\n');
        return lastBreak < 0
            ? new TextPosition(statement.StartLine, statement.StartColumn + between.Length)
            : new TextPosition(statement.StartLine + between.Count('\n'), between.Length - lastBreak);
    }

    private void DestructiveStatement(StatementInfo info, int index)
    {
        var description = info.Statement.Excerpt();
        var message = info.Kind is StatementKind.Delete or StatementKind.Update
            ? $"'{description}' has no WHERE, so it changes every row of the table, and a down migration cannot bring the old values back: " +
              "add a WHERE clause for the rows you mean; if it really is every row, say so with '-- migrate:ignore MIG112' on the line before"
            : $"'{description}' destroys data, and no down migration can bring it back once it has run in production: " +
              "make sure nothing still reads it and that a backup exists, then acknowledge it with '-- migrate:ignore MIG112' on the line before";
        Add(LintCodes.DestructiveStatement, DiagnosticSeverity.Warning, message, info.Statement.StartPosition, index);
    }

    private void Cascade(StatementInfo info, SqlToken cascade, int index)
    {
        var message = info.Kind == StatementKind.Truncate
            ? $"TRUNCATE ... CASCADE also empties every table that has a foreign key to {Target(info)}, without naming them: " +
              "truncate those tables explicitly and remove CASCADE"
            : $"CASCADE also drops every object that depends on {Target(info)} (views, foreign keys, defaults), without naming them, " +
              "so it can remove more than this migration means to: drop the dependent objects explicitly and remove CASCADE";
        Add(LintCodes.Cascade, DiagnosticSeverity.Warning, message, PositionOf(info.Statement, cascade.Start), index);
    }

    private static string Target(StatementInfo info) =>
        info.Names.Count == 0 ? "it" : info.Names.Count == 1 ? $"'{info.Names[0]}'" : "them";

    private void NotNullWithoutDefault(StatementInfo info, AlterTableAction action, SqlObjectName table, int index)
    {
        var at = action.NotNullToken ?? action.FirstToken;
        Add(LintCodes.NotNullColumnWithoutDefault, DiagnosticSeverity.Warning,
            $"adding NOT NULL column '{action.Column}' without a DEFAULT to existing table '{table}' fails as soon as the table has rows " +
            "(there is no value for them), so it passes on an empty development database and breaks in production: add a DEFAULT " +
            "(a constant default is instant since PostgreSQL 11), or add the column nullable, backfill it, then ALTER COLUMN ... SET NOT NULL",
            PositionOf(info.Statement, at.Start), index);
    }

    private void IndexWithoutConcurrently(StatementInfo info, SqlObjectName table, int index)
    {
        var name = info.Names.Count > 0 ? $" {info.Names[0]}" : "";
        Add(LintCodes.IndexWithoutConcurrently, DiagnosticSeverity.Warning,
            $"CREATE INDEX{name} on existing table '{table}' without CONCURRENTLY blocks every write to the table until the index is built, " +
            "which takes minutes on a large table: use CREATE INDEX CONCURRENTLY, in a migration of its own marked " +
            $"'-- {MigrationScriptPlan.NoTransactionDirective}' (CONCURRENTLY cannot run in a transaction)",
            info.Statement.StartPosition, index);
    }

    /// <summary>
    /// MIG119: <c>&lt;table&gt;</c>, <c>&lt;column&gt;</c> and the like, written together, as MigrateCreate leaves them where
    /// the migration's name did not tell it the names. PostgreSQL would refuse them, but only at apply time.
    /// </summary>
    private void TemplatePlaceholders(StatementInfo info, int index)
    {
        var statement = info.Statement;
        if (!statement.TextSpan.Contains('<')) return;
        var tokens = statement.TokenSpan;
        var source = statement.Source;
        for (var i = 0; i + 2 < tokens.Length; i++)
        {
            var open = tokens[i];
            var word = tokens[i + 1];
            var close = tokens[i + 2];
            if (!IsSingleOperator(open, source, '<') || word.Kind != SqlTokenKind.Word || !IsSingleOperator(close, source, '>') ||
                open.End != word.Start || word.End != close.Start) continue;
            var placeholder = source[open.Start..close.End];
            Add(LintCodes.TemplatePlaceholder, DiagnosticSeverity.Error,
                $"'{placeholder}' is a placeholder MigrateCreate left because the migration's name did not tell it: " +
                $"replace it with the real name (PostgreSQL would refuse '{placeholder}' when the migration is applied)",
                PositionOf(statement, open.Start), index);
        }
    }

    private static bool IsSingleOperator(SqlToken token, string source, char c) =>
        token.Kind == SqlTokenKind.Operator && token.Length == 1 && source[token.Start] == c;

    private void MissingIfExists(StatementInfo info, int index)
    {
        string? message = null;
        var kind = StatementClassifier.KindKeyword(info.ObjectKind);
        var name = info.Names.Count > 0 ? info.Names[0].ToString() : "";
        if (info.Kind == StatementKind.Create && !info.IfNotExists && info.Names.Count > 0 &&
            info.ObjectKind is SqlObjectKind.Table or SqlObjectKind.Index or SqlObjectKind.Schema or SqlObjectKind.Sequence or SqlObjectKind.Extension)
        {
            message = $"CREATE {kind} {name} without IF NOT EXISTS fails when the object exists already: " +
                      $"write CREATE {kind} IF NOT EXISTS (MigrationRequireIfExists=true)";
        }
        else if (info.Kind == StatementKind.Drop && !info.IfExists && info.Names.Count > 0 && info.ObjectKind != SqlObjectKind.Other)
        {
            message = $"DROP {kind} {name} without IF EXISTS fails when the object is gone already: " +
                      $"write DROP {kind} IF EXISTS (MigrationRequireIfExists=true)";
        }

        if (message is not null) Add(LintCodes.MissingIfExists, DiagnosticSeverity.Warning, message, info.Statement.StartPosition, index);
    }
}
