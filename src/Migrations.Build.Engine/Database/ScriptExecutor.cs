using System.Diagnostics;
using Migrations.Build.Engine.Sql;
using Npgsql;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// Runs migration scripts. Transactional scripts are pipelined: each is BEGIN, its statements, its history
/// change and COMMIT, and consecutive ones go to the server as one batch. PostgreSQL executes them in
/// order and, at the first error, skips everything up to the batch's end: the migrations before the
/// failing one are committed, the failing one is rolled back, the ones after it never ran — the same
/// outcome as one round trip each, at a fraction of the latency. Non-transactional scripts send each
/// statement on its own (PostgreSQL rejects CONCURRENTLY in a pipelined batch).
/// </summary>
internal sealed class ScriptExecutor(NpgsqlConnection connection)
{
    /// <summary>One script to run transactionally, with the history change that commits with it (returns the server's ms).</summary>
    public sealed record Step(Migration Migration, MigrationScriptPlan Plan, NpgsqlBatchCommand HistoryChange);

    /// <summary>How a batch went: the steps that committed, with the server's milliseconds, and the failure if any.</summary>
    public sealed record BatchOutcome(IReadOnlyList<(Step Step, int ServerMs)> Committed, MigrationDiagnostic? Failure);

    public sealed record Outcome(TimeSpan Elapsed, MigrationDiagnostic? Failure)
    {
        public bool Succeeded => Failure is null;
    }

    /// <summary>
    /// Runs the steps in one pipelined batch: each in its own transaction, or, with <paramref name="singleTransaction"/>,
    /// all in one (then a failure anywhere leaves none of them applied).
    /// </summary>
    public async Task<BatchOutcome> RunTransactionalAsync(IReadOnlyList<Step> steps, bool singleTransaction, string retryAdvice, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested(); // before anything is sent: nothing of this batch ran
        await using var batch = new NpgsqlBatch(connection);
        var owner = new List<(int Step, int Statement)>(); // for each batch command: its step, and its statement (-1: not a statement of the file)
        var commits = new int[steps.Count]; // each step's COMMIT command, or -1 (sharing the one transaction, all but the last)
        for (var i = 0; i < steps.Count; i++)
        {
            if (!singleTransaction || i == 0) Add(new NpgsqlBatchCommand("BEGIN"), i, -1);
            // Sharing one transaction, each migration marks its start, or its recorded time would include its predecessors'.
            if (singleTransaction) Add(new NpgsqlBatchCommand(HistoryTable.MarkMigrationStartSql), i, -1);
            var statements = steps[i].Plan.Statements;
            for (var s = 0; s < statements.Count; s++) Add(new NpgsqlBatchCommand(statements[s].Text), i, s);
            Add(steps[i].HistoryChange, i, -1);
            commits[i] = !singleTransaction || i == steps.Count - 1 ? batch.BatchCommands.Count : -1;
            if (commits[i] >= 0) Add(new NpgsqlBatchCommand("COMMIT"), i, -1);
        }

        var done = new List<(Step, int)>(steps.Count);
        try
        {
            // Each history change returns one row (RETURNING), in step order; a migration's own SELECTs are skipped.
            await using var reader = await batch.ExecuteReaderAsync(cancel);
            do
            {
                if (reader.FieldCount != 1 || reader.GetName(0) != HistoryTable.ElapsedColumn) continue;
                while (await reader.ReadAsync(cancel))
                {
                    done.Add((steps[done.Count], reader.IsDBNull(0) ? 0 : reader.GetInt32(0)));
                }
            }
            while (await reader.NextResultAsync(cancel));
            return new BatchOutcome(done, null);
        }
        catch (PostgresException e)
        {
            await RollbackAsync();
            var index = e.BatchCommand is null ? FirstIncomplete() : batch.BatchCommands.IndexOf(e.BatchCommand);
            var (stepIndex, statementIndex) = index >= 0 ? owner[index] : (Math.Min(done.Count, steps.Count - 1), -1);
            var step = steps[stepIndex];
            var statement = statementIndex >= 0 ? step.Plan.Statements[statementIndex] : null;
            // A failure at COMMIT (a deferred constraint) comes after that step's history row was read: it did not commit.
            // In a single transaction nothing did.
            var committedSteps = singleTransaction ? [] : done.Take(stepIndex).ToList();
            return new BatchOutcome(committedSteps, Failure(DiagnosticCodes.MigrationFailed, step.Plan, statement, e,
                "the migration was rolled back and the history is unchanged; " +
                (IsNotAboutTheFile(e.SqlState) ? "this error comes from the server's state, not from the file: run again" : retryAdvice)));
        }
        catch (OperationCanceledException e) when (cancel.IsCancellationRequested)
        {
            // Npgsql asks the server to cancel the running statement. If it did (57014), the batch is determinate:
            // what committed before it, a rolled-back migration, and nothing after it. Otherwise the connection was
            // closed, and the outcome of what followed the last completion seen is unknown.
            var serverCancelled = CancelledByServer(e);
            if (serverCancelled) await RollbackAsync(); // the session is left in the aborted transaction
            var (_, stepIndex, statement) = FirstSilentStatement();
            var step = steps[stepIndex];
            var position = statement?.StartPosition ?? TextPosition.Start;
            var outcome = singleTransaction
                ? serverCancelled ? "the run's one transaction was rolled back: nothing of it was applied" : "whether the run's one transaction committed is unknown"
                : serverCancelled ? "the migrations before this one committed; this one was rolled back and nothing after it ran"
                : "the migrations before this one committed; whether this one or any after it did is unknown";
            return new BatchOutcome(done.Take(KnownCommitted()).ToList(), new MigrationDiagnostic(DiagnosticCodes.RunCancelled, DiagnosticSeverity.Error,
                $"the run was cancelled while this {(statement is null ? "migration" : "statement")} ran: {outcome}. Run MigrateStatus to see the state, then run again",
                step.Plan.Script.Path, position.Line, position.Column));
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            // The connection broke without a server error (or the wait for it timed out). The server sends a pipelined
            // batch's results in buffered chunks, so it may be well past the last outcome that came back: only a step
            // whose COMMIT was seen to complete is known to be committed, and whether the rest did is unknown until the
            // history is read again.
            var (silent, stepIndex, statement) = FirstSilentStatement();
            var step = steps[stepIndex];
            var position = statement?.StartPosition ?? TextPosition.Start;
            var after = steps.Count - 1 - stepIndex;
            var message = silent < 0
                ? $"{LostBecause(e)} after every migration of this batch had committed: run MigrateStatus to confirm, then run again"
                : $"{LostBecause(e)}, and no outcome came back from this {(statement is null ? "migration" : "statement")} on; " +
                  (singleTransaction
                      ? "this run's migrations share one transaction, and whether it committed is unknown"
                      : $"the migrations before it committed, and whether this one{(after > 0 ? $" and the {after} after it in the same batch" : "")} did is unknown") +
                  ", though each commits with its history row or not at all: run MigrateStatus to see where it stopped, then run again";
            return new BatchOutcome(done.Take(KnownCommitted()).ToList(), new MigrationDiagnostic(DiagnosticCodes.MigrationFailed, DiagnosticSeverity.Error,
                message, step.Plan.Script.Path, position.Line, position.Column));
        }

        // The first command with no outcome back (-1: none), its step (else the last), and its statement of the file if it is one.
        (int Command, int Step, SqlStatement? Statement) FirstSilentStatement()
        {
            var command = FirstIncomplete();
            var (step, statement) = command >= 0 ? owner[command] : (steps.Count - 1, -1);
            return (command, step, statement >= 0 ? steps[step].Plan.Statements[statement] : null);
        }

        // How many steps are known to be committed: those whose COMMIT's completion was read.
        int KnownCommitted()
        {
            if (singleTransaction) return Completed(commits[^1]) ? steps.Count : 0;
            var count = 0;
            while (count < steps.Count && Completed(commits[count])) count++;
            return count;
        }

        // A command is done once its completion was read (Npgsql then knows its statement type).
        bool Completed(int index) => batch.BatchCommands[index].StatementType != StatementType.Unknown;

        // The first command whose completion was not read: the server may be on it or past it.
        int FirstIncomplete()
        {
            for (var i = 0; i < batch.BatchCommands.Count; i++)
            {
                if (!Completed(i)) return i;
            }
            return -1;
        }

        void Add(NpgsqlBatchCommand command, int step, int statement)
        {
            batch.BatchCommands.Add(command);
            owner.Add((step, statement));
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
            catch (OperationCanceledException e) when (cancel.IsCancellationRequested)
            {
                // Outside a transaction, a statement the server cancelled is undone (a CONCURRENTLY index is left INVALID).
                var cancelled = CancelledByServer(e);
                var position = statement.StartPosition;
                return (new Outcome(stopwatch.Elapsed, new MigrationDiagnostic(DiagnosticCodes.RunCancelled, DiagnosticSeverity.Error,
                    "the run was cancelled while this statement ran: " + (cancelled
                        ? "the server cancelled it (an index built CONCURRENTLY is left INVALID: drop it before running the statement again)"
                        : "whether it completed is unknown"),
                    plan.Script.Path, position.Line, position.Column)), i);
            }
            catch (NpgsqlException e) when (e is not PostgresException)
            {
                // The server may still finish the statement on its own: its outcome is unknown, not failed.
                var position = statement.StartPosition;
                return (new Outcome(stopwatch.Elapsed, new MigrationDiagnostic(DiagnosticCodes.NonTransactionalMigrationFailed, DiagnosticSeverity.Error,
                    $"{LostBecause(e)} while this statement ran; whether it completed is unknown",
                    plan.Script.Path, position.Line, position.Column)), i);
            }
        }
        return (new Outcome(stopwatch.Elapsed, null), plan.Statements.Count);
    }

    /// <summary>
    /// Errors a rerun can get past without editing the file: the session was ended or cancelled by someone else
    /// (57P01-57P03, 57014), the connection failed (08), a deadlock or serialization failure with other traffic
    /// (40001, 40P01), a lock not granted in time (55P03), the server out of resources (53).
    /// </summary>
    private static bool IsNotAboutTheFile(string sqlState) =>
        sqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable
            or PostgresErrorCodes.QueryCanceled
        || sqlState.StartsWith("57P", StringComparison.Ordinal) || sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("53", StringComparison.Ordinal);

    /// <summary>Whether the server confirmed Npgsql's cancel request (57014), rather than the connection being closed.</summary>
    private static bool CancelledByServer(OperationCanceledException e) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled };

    /// <summary>Why results stopped coming: Npgsql reports a Command Timeout as it does a broken connection.</summary>
    private static string LostBecause(NpgsqlException e) => e.InnerException is TimeoutException
        ? "the command timed out (Command Timeout in the connection string) and the connection was closed"
        : $"the connection was lost ({e.Message})";

    private async Task RollbackAsync()
    {
        // A lost connection needs no rollback: the server rolled back on its own when the session ended.
        if (connection.FullState != System.Data.ConnectionState.Open) return;
        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // Same: the connection broke while rolling back.
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
