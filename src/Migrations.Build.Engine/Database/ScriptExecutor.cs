using System.Diagnostics;
using Migrations.Build.Engine.Sql;
using Npgsql;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// Runs migration scripts. Transactional scripts are pipelined: each is BEGIN, its statements, its history
/// change and COMMIT, and consecutive ones go to the server as one batch, so nothing waits for a round trip.
/// Each statement and COMMIT is followed by an error barrier (a Sync), which makes the server send its result
/// at once instead of holding it in its buffer until the batch ends: progress is seen as it happens. After an
/// error the server skips only to the next barrier, so every migration but the first starts by checking that
/// its predecessor's history change committed; the failing one's open transaction, or that check, makes every
/// later command of the batch fail without effect. The migrations before the failing one are committed, the
/// failing one is rolled back, the ones after it never ran: the outcome of one round trip each, at a fraction
/// of the latency. Non-transactional scripts send each statement on its own (PostgreSQL rejects CONCURRENTLY
/// in a pipelined batch).
/// Each migration's statements run with its timeouts: its <c>-- migrate:lock-timeout</c> or else the run's
/// <paramref name="lockTimeout"/> (MigrationStatementLockTimeout), and its <c>-- migrate:statement-timeout</c> or else
/// the session's own. In a transaction they are SET LOCAL right after BEGIN (so a rollback or commit ends them) and
/// set back to the session's defaults before the history change; outside one they are SET before the first statement
/// and RESET after the last. So no setting reaches the next migration or the runner's own commands.
/// </summary>
/// <param name="lockTimeout">The lock timeout of migrations without a directive; null: the session's own.</param>
internal sealed class ScriptExecutor(NpgsqlConnection connection, TimeSpan? lockTimeout = null)
{
    public NpgsqlConnection Connection => connection;

    /// <summary>One script to run transactionally, with the history change that commits with it (returns the server's ms).</summary>
    /// <param name="ClaimLock">The call that takes the migration lock (<see cref="HistoryTable.LockMigrationsCall"/>), first in the transaction.</param>
    /// <param name="Claim">
    /// Given the migration before it in the batch (null for the first), a statement that fails (division by zero) unless
    /// that one committed and no other run did this one meanwhile. As the batch's first error it means the latter:
    /// <see cref="BatchOutcome.DoneElsewhere"/>; after an earlier error it only keeps this migration from running.
    /// </param>
    public sealed record Step(Migration Migration, MigrationScriptPlan Plan, NpgsqlBatchCommand HistoryChange, string ClaimLock, Func<Migration?, NpgsqlBatchCommand> Claim);

    /// <summary>How a batch went: the steps that committed, with the server's milliseconds, and the failure if any.</summary>
    /// <param name="ServerError">The server's error that stopped the batch, if that is what did.</param>
    /// <param name="FailedStatement">The statement of the failing step's file it came from, if it came from one.</param>
    /// <param name="FailedStep">The index of the step it came from (-1: none).</param>
    /// <param name="DoneElsewhere">The migration another run applied (or rolled back) meanwhile: this run stopped there, no error.</param>
    public sealed record BatchOutcome(IReadOnlyList<(Step Step, int ServerMs)> Committed, MigrationDiagnostic? Failure,
        PostgresException? ServerError = null, SqlStatement? FailedStatement = null, int FailedStep = -1, Migration? DoneElsewhere = null)
    {
        /// <summary>A statement waited longer than its lock timeout (55P03): the migration rolled back, nothing of the file is at fault.</summary>
        public bool LockTimedOut => ServerError?.SqlState == PostgresErrorCodes.LockNotAvailable;
    }

    /// <param name="SqlState">The server's SQLSTATE when a statement failed.</param>
    public sealed record Outcome(TimeSpan Elapsed, MigrationDiagnostic? Failure, string? SqlState = null)
    {
        public bool Succeeded => Failure is null;
    }

    /// <summary>
    /// Runs the steps in one pipelined batch: each in its own transaction, or, with <paramref name="singleTransaction"/>,
    /// all in one (then a failure anywhere leaves none of them applied).
    /// </summary>
    public async Task<BatchOutcome> RunTransactionalAsync(IReadOnlyList<Step> steps, bool singleTransaction, string retryAdvice, RunProgress progress, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested(); // before anything is sent: nothing of this batch ran
        await using var batch = new NpgsqlBatch(connection);
        var owner = new List<(int Step, int Statement)>(); // for each batch command: its step, and its statement (-1: not a statement of the file)
        var commits = new int[steps.Count]; // each step's COMMIT command, or -1 (sharing the one transaction, all but the last)
        for (var i = 0; i < steps.Count; i++)
        {
            if (!singleTransaction || i == 0) Add(new NpgsqlBatchCommand("BEGIN"), i, -1);
            // Few commands per migration: each costs a parse, a bind and an execution on the server. One statement takes
            // the migration lock and sets the migration's timeouts (every migration sets both, even to the defaults:
            // sharing one transaction, the one before may have changed them); the next, with the snapshot taken after
            // the lock, checks the claim (see the class comment for why the predecessor is checked too).
            var plan = steps[i].Plan;
            Add(new NpgsqlBatchCommand(Prologue(steps[i], markStart: singleTransaction)), i, -1);
            Add(steps[i].Claim(!singleTransaction && i > 0 ? steps[i - 1].Migration : null), i, ClaimCheck);
            var statements = plan.Statements;
            for (var s = 0; s < statements.Count; s++) Add(new NpgsqlBatchCommand(statements[s].Text) { AppendErrorBarrier = true }, i, s);
            // The history change is the runner's, under its advisory lock: it waits as the runner's session does.
            Add(new NpgsqlBatchCommand(ResetTimeoutsSql), i, -1);
            Add(steps[i].HistoryChange, i, -1);
            commits[i] = !singleTransaction || i == steps.Count - 1 ? batch.BatchCommands.Count : -1;
            if (commits[i] >= 0) Add(new NpgsqlBatchCommand("COMMIT") { AppendErrorBarrier = true }, i, -1);
        }

        var done = new List<(Step, int)>(steps.Count);
        var reported = 0; // steps whose commit was reported
        try
        {
            return Reported(await ReadAsync());
        }
        catch (Exception e) when (Cause(e) is PostgresException serverError && !(cancel.IsCancellationRequested && serverError.SqlState == PostgresErrorCodes.QueryCanceled))
        {
            await RollbackAsync();
            var index = serverError.BatchCommand is null ? FirstIncomplete() : batch.BatchCommands.IndexOf(serverError.BatchCommand);
            var (stepIndex, statementIndex) = index >= 0 ? owner[index] : (Math.Min(done.Count, steps.Count - 1), -1);
            var step = steps[stepIndex];
            if (statementIndex == ClaimCheck && serverError.SqlState == PostgresErrorCodes.DivisionByZero)
            {
                return Reported(new BatchOutcome(done.Take(stepIndex).ToList(), null, DoneElsewhere: step.Migration));
            }
            var statement = statementIndex >= 0 ? step.Plan.Statements[statementIndex] : null;
            // A failure at COMMIT (a deferred constraint) comes after that step's history row was read: it did not commit.
            // In a single transaction nothing did.
            var committedSteps = singleTransaction ? [] : done.Take(stepIndex).ToList();
            return Reported(new BatchOutcome(committedSteps, Failure(DiagnosticCodes.MigrationFailed, step.Plan, statement, serverError,
                "the migration was rolled back and the history is unchanged; " +
                (IsStatementTimeout(serverError) ? StatementTimeoutAdvice(step.Plan)
                    : IsNotAboutTheFile(serverError.SqlState) ? "this error comes from the server's state, not from the file: run again" : retryAdvice)),
                serverError, statement, stepIndex));
        }
        catch (Exception e) when (cancel.IsCancellationRequested && Cause(e) is OperationCanceledException or PostgresException)
        {
            // Npgsql asks the server to cancel the running statement. If it did (57014), the batch is determinate:
            // what committed before it, a rolled-back migration, and nothing after it. Otherwise the connection was
            // closed, and the outcome of what followed the last completion seen is unknown.
            var serverCancelled = CancelledByServer(Cause(e));
            if (serverCancelled) await RollbackAsync(); // the session is left in the aborted transaction
            var (_, stepIndex, statement) = FirstSilentStatement();
            var step = steps[stepIndex];
            var position = statement?.StartPosition ?? TextPosition.Start;
            var outcome = singleTransaction
                ? serverCancelled ? "the run's one transaction was rolled back: nothing of it was applied" : "whether the run's one transaction committed is unknown"
                : serverCancelled ? "the migrations before this one committed; this one was rolled back and nothing after it ran"
                : "the migrations before this one committed; whether this one or any after it did is unknown";
            return Reported(new BatchOutcome(done.Take(KnownCommitted()).ToList(), new MigrationDiagnostic(DiagnosticCodes.RunCancelled, DiagnosticSeverity.Error,
                $"the run was cancelled while this {(statement is null ? "migration" : "statement")} ran: {outcome}. Run MigrateStatus to see the state, then run again",
                step.Plan.Script.Path, position.Line, position.Column)));
        }
        catch (Exception e) when (Cause(e) is NpgsqlException lost)
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
                ? $"{LostBecause(lost)} after every migration of this batch had committed: run MigrateStatus to confirm, then run again"
                : $"{LostBecause(lost)}, and no outcome came back from this {(statement is null ? "migration" : "statement")} on; " +
                  (singleTransaction
                      ? "this run's migrations share one transaction, and whether it committed is unknown"
                      : $"the migrations before it committed, and whether this one{(after > 0 ? $" and the {after} after it in the same batch" : "")} did is unknown") +
                  ", though each commits with its history row or not at all: run MigrateStatus to see where it stopped, then run again";
            return Reported(new BatchOutcome(done.Take(KnownCommitted()).ToList(), new MigrationDiagnostic(DiagnosticCodes.MigrationFailed, DiagnosticSeverity.Error,
                message, step.Plan.Script.Path, position.Line, position.Column)));
        }
        finally
        {
            progress.Finished();
        }

        // Reads the results as they come (the error barriers make the server send each statement's at once), saying
        // when each migration starts and commits.
        async Task<BatchOutcome> ReadAsync()
        {
            progress.Starting(steps[0].Migration, () => Running(0));
            // Each history change returns one row (RETURNING), in step order; a migration's own SELECTs are skipped.
            await using var reader = await batch.ExecuteReaderAsync(cancel);
            do
            {
                ReportCommitted();
                if (reader.FieldCount != 1 || reader.GetName(0) != HistoryTable.ElapsedColumn) continue;
                while (await reader.ReadAsync(cancel))
                {
                    done.Add((steps[done.Count], reader.IsDBNull(0) ? 0 : reader.GetInt32(0)));
                }
            }
            while (await reader.NextResultAsync(cancel));
            return new BatchOutcome(done, null);
        }

        // Says so for each step whose COMMIT came back since the last call, and starts the next one.
        void ReportCommitted()
        {
            var committed = singleTransaction ? (Completed(commits[^1]) ? steps.Count : 0) : KnownCommitted();
            for (; reported < committed && reported < done.Count; reported++)
            {
                progress.Done(steps[reported].Migration, $"{done[reported].Item2} ms");
                var next = reported + 1;
                if (next < steps.Count && !singleTransaction) progress.Starting(steps[next].Migration, () => Running(next));
            }
        }

        // The final outcome, after saying which of its committed steps had not been said yet.
        BatchOutcome Reported(BatchOutcome outcome)
        {
            for (; reported < outcome.Committed.Count; reported++) progress.Done(outcome.Committed[reported].Step.Migration, $"{outcome.Committed[reported].ServerMs} ms");
            return outcome;
        }

        // Which statement of the file the server is on, for progress (asked from the timer's thread).
        (MigrationScriptPlan, int)? Running(int step)
        {
            var command = FirstIncomplete();
            if (command < 0) return null;
            var (at, statement) = owner[command];
            return at == step || singleTransaction ? (steps[at].Plan, statement) : null;
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

    /// <summary>Marks, in the owner list, the claim's check: its failure means another run did the migration.</summary>
    private const int ClaimCheck = -2;

    /// <summary>Runs a non-transactional script's statements one by one. The caller marks the row dirty before and clean after.</summary>
    /// <param name="running">Told the index of each statement as it is sent, for progress.</param>
    public async Task<(Outcome Outcome, int Completed)> RunStatementByStatementAsync(MigrationScriptPlan plan, Action<int> running, CancellationToken cancel)
    {
        var stopwatch = Stopwatch.StartNew();
        var timeouts = (Lock: plan.LockTimeout ?? lockTimeout, Statement: plan.StatementTimeout);
        if (timeouts != default)
        {
            await using var set = new NpgsqlBatch(connection)
            {
                BatchCommands = { new(Set("lock_timeout", timeouts.Lock)), new(Set("statement_timeout", timeouts.Statement)) },
            };
            await set.ExecuteNonQueryAsync(cancel);
        }
        try
        {
            return await RunStatementsAsync();
        }
        finally
        {
            if (timeouts != default) await ResetTimeoutsAsync();
        }

        async Task<(Outcome, int)> RunStatementsAsync()
        {
            for (var i = 0; i < plan.Statements.Count; i++)
            {
                var statement = plan.Statements[i];
                running(i);
                try
                {
                    await using var command = new NpgsqlCommand(statement.Text, connection);
                    await command.ExecuteNonQueryAsync(cancel);
                }
                catch (PostgresException e)
                {
                    // A statement that opened a transaction block leaves it aborted: close it so the session can go on.
                    await RollbackAsync();
                    var advice = e.SqlState == PostgresErrorCodes.LockNotAvailable
                        ? $"it waited longer than its lock timeout ({PgDuration.Describe(timeouts.Lock ?? TimeSpan.Zero)}) for a lock another session holds; " +
                          "a migration outside a transaction is not retried, as what it did before this statement stays done"
                        : IsStatementTimeout(e) ? StatementTimeoutAdvice(plan) : null;
                    return (new Outcome(stopwatch.Elapsed, Failure(DiagnosticCodes.NonTransactionalMigrationFailed, plan, statement, e, advice), e.SqlState), i);
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
    }

    /// <summary>Back to the runner's session settings after a migration outside a transaction, unless the connection is gone.</summary>
    private async Task ResetTimeoutsAsync()
    {
        if (connection.FullState != System.Data.ConnectionState.Open) return;
        try
        {
            await using var reset = new NpgsqlBatch(connection) { BatchCommands = { new("RESET lock_timeout"), new("RESET statement_timeout") } };
            await reset.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection broke: the session and its settings are gone with it.
        }
    }

    /// <summary>SET LOCAL to <paramref name="value"/>, or to the session's own setting (DEFAULT: as at connection, before any SET LOCAL).</summary>
    /// <summary>
    /// The first statement of a migration's transaction: the migration lock, then its settings, left to right. On
    /// PostgreSQL 14 and later the server checks every second that this client is still there while a statement
    /// runs, so a deployer killed mid-statement leaves no session running on, holding the migration's locks.
    /// </summary>
    private string Prologue(Step step, bool markStart)
    {
        var sql = new System.Text.StringBuilder("SELECT ").Append(step.ClaimLock);
        if (connection.PostgreSqlVersion.Major >= 14) sql.Append(", set_config('client_connection_check_interval', '1000', true)");
        sql.Append(", ").Append(SetConfig("lock_timeout", step.Plan.LockTimeout ?? lockTimeout));
        sql.Append(", ").Append(SetConfig("statement_timeout", step.Plan.StatementTimeout));
        // Sharing one transaction, each migration marks its start, or its recorded time would include its predecessors'.
        if (markStart) sql.Append($", set_config('{HistoryTable.MigrationStartSetting}', clock_timestamp()::text, true)");
        return sql.ToString();
    }

    /// <summary>A transaction-local setting: the value given, or else the session's own.</summary>
    private string SetConfig(string setting, TimeSpan? value) =>
        $"set_config('{setting}', {(value is { } v ? PgDuration.ToSql(v) : SqlLiteral.Quote(SessionSetting(setting)))}, true)";

    /// <summary>Back to the session's own timeouts, in one statement, before the history change.</summary>
    private string ResetTimeoutsSql => $"SELECT {SetConfig("lock_timeout", null)}, {SetConfig("statement_timeout", null)}";

    private Dictionary<string, string>? _sessionSettings;

    /// <summary>
    /// The session's own value of a timeout, read once: what a migration without its own value runs with, and what
    /// the history change goes back to. Literal values, because pg_settings (RESET's value) costs a millisecond a
    /// call, and SET LOCAL … TO DEFAULT a command of its own.
    /// </summary>
    private string SessionSetting(string setting)
    {
        if (_sessionSettings is null)
        {
            using var command = new NpgsqlCommand("SELECT current_setting('lock_timeout'), current_setting('statement_timeout')", connection);
            using var reader = command.ExecuteReader();
            reader.Read();
            _sessionSettings = new Dictionary<string, string> { ["lock_timeout"] = reader.GetString(0), ["statement_timeout"] = reader.GetString(1) };
        }
        return _sessionSettings[setting];
    }

    private static string Set(string setting, TimeSpan? value) =>
        $"SET {setting} " + (value is { } v ? "= " + PgDuration.ToSql(v) : "TO DEFAULT");

    /// <summary>57014 because statement_timeout ran out, not because someone cancelled the statement.</summary>
    private static bool IsStatementTimeout(PostgresException e) =>
        e.SqlState == PostgresErrorCodes.QueryCanceled && e.MessageText.Contains("statement timeout", StringComparison.OrdinalIgnoreCase);

    private static string StatementTimeoutAdvice(MigrationScriptPlan plan) =>
        $"the statement ran longer than {(plan.StatementTimeout is { } t ? $"the file's '-- {MigrationScriptPlan.StatementTimeoutDirective} {PgDuration.Describe(t).Replace(" ", "", StringComparison.Ordinal)}'" : "the session's statement_timeout")}: " +
        "raise it if the statement needs longer, or make the statement faster";

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

    /// <summary>
    /// What stopped a batch: Npgsql throws it as it is or, with error barriers, gathers it first among the errors
    /// of the commands after it (the later migrations refusing to run), which say nothing new.
    /// </summary>
    private static Exception Cause(Exception e) =>
        e is NpgsqlException { InnerException: AggregateException { InnerExceptions.Count: > 0 } all } and not PostgresException ? all.InnerExceptions[0] : e;

    /// <summary>Whether the server confirmed Npgsql's cancel request (57014), rather than the connection being closed.</summary>
    private static bool CancelledByServer(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } || e.InnerException is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled };

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
