using System.Diagnostics;
using Migrations.Build.Engine.Sql;
using Npgsql;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// Runs one migration script. Transactional scripts go in one round trip: BEGIN, the statements, the
/// history change and COMMIT as one pipelined batch, so the history row commits with the schema change or
/// not at all. Non-transactional scripts send each statement on its own (PostgreSQL rejects CONCURRENTLY
/// in a pipelined batch), with the history row marked dirty until the last one succeeded.
/// </summary>
internal sealed class ScriptExecutor(NpgsqlConnection connection)
{
    /// <summary>The outcome: elapsed time, or the diagnostic of the failure.</summary>
    public sealed record Outcome(TimeSpan Elapsed, MigrationDiagnostic? Failure)
    {
        public bool Succeeded => Failure is null;
    }

    public async Task<Outcome> RunTransactionalAsync(MigrationScriptPlan plan, NpgsqlBatchCommand historyChange, CancellationToken cancel)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        foreach (var statement in plan.Statements) batch.BatchCommands.Add(new NpgsqlBatchCommand(statement.Text));
        batch.BatchCommands.Add(historyChange);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        try
        {
            await batch.ExecuteNonQueryAsync(cancel);
            return new Outcome(stopwatch.Elapsed, null);
        }
        catch (PostgresException e)
        {
            await RollbackAsync();
            var index = e.BatchCommand is null ? -1 : batch.BatchCommands.IndexOf(e.BatchCommand) - 1;
            var statement = index >= 0 && index < plan.Statements.Count ? plan.Statements[index] : null;
            return new Outcome(stopwatch.Elapsed, Failure(DiagnosticCodes.MigrationFailed, plan, statement, e,
                "the migration was rolled back and the history is unchanged; fix the file and run MigrateUp again"));
        }
    }

    /// <summary>Runs a non-transactional script's statements one by one. The caller marks the row dirty before and clean after.</summary>
    public async Task<(Outcome Outcome, int Completed)> RunStatementByStatementAsync(MigrationScriptPlan plan, CancellationToken cancel)
    {
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < plan.Statements.Count; i++)
        {
            var statement = plan.Statements[i];
            try
            {
                await using var command = new NpgsqlCommand(statement.Text, connection);
                await command.ExecuteNonQueryAsync(cancel);
            }
            catch (PostgresException e)
            {
                // A statement that opened a transaction block leaves it aborted: close it so the session can go on.
                await RollbackAsync();
                return (new Outcome(stopwatch.Elapsed, Failure(DiagnosticCodes.NonTransactionalMigrationFailed, plan, statement, e, null)), i);
            }
        }
        return (new Outcome(stopwatch.Elapsed, null), plan.Statements.Count);
    }

    private async Task RollbackAsync()
    {
        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The connection is gone: the server rolled back on its own.
        }
    }

    private static MigrationDiagnostic Failure(string code, MigrationScriptPlan plan, SqlStatement? statement, PostgresException e, string? advice)
    {
        var position = statement is null
            ? TextPosition.Start
            : e.Position > 0 ? SqlStatementSplitter.PositionOf(statement, e.Position) : statement.StartPosition;
        var detail = e.Detail is { Length: > 0 } ? $" ({e.Detail})" : "";
        var message = $"{e.MessageText}{detail} (SQLSTATE {e.SqlState})" + (advice is null ? "" : "; " + advice);
        return new MigrationDiagnostic(code, DiagnosticSeverity.Error, message, plan.Script.Path, position.Line, position.Column);
    }
}
