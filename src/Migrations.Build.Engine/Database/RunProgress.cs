using System.Diagnostics;

namespace Migrations.Build.Engine.Database;

/// <summary>
/// Says what a run is doing while it does it: each migration as it starts and as it finishes, and, while one
/// statement keeps running, a line every <see cref="Interval"/> naming its file, line and elapsed time. A
/// deploy that prints nothing for half a minute looks hung.
/// </summary>
internal sealed class RunProgress : IDisposable
{
    private readonly IMigrationLog _log;
    private readonly string _verb;
    private readonly string _runningVerb;
    private readonly string _doneVerb;
    private readonly Timer? _timer;
    private readonly object _gate = new();
    private Func<(MigrationScriptPlan Plan, int Statement)?>? _running;
    private Migration? _migration;
    private readonly Stopwatch _migrationClock = new();

    /// <param name="interval">How often a still-running statement is reported; zero or less: never.</param>
    public RunProgress(IMigrationLog log, bool up, TimeSpan interval)
    {
        _log = log;
        _verb = up ? "Applying" : "Rolling back";
        _runningVerb = up ? "applying" : "rolling back";
        _doneVerb = up ? "Applied" : "Rolled back";
        Interval = interval;
        if (interval > TimeSpan.Zero) _timer = new Timer(_ => Tick(), null, interval, interval);
    }

    public TimeSpan Interval { get; }

    /// <summary>
    /// A migration starts. <paramref name="running"/> tells, when asked from the timer's thread, which statement
    /// the server is on (its index in the plan, -1 or null: none); it reads state the run updates as results come back.
    /// </summary>
    public void Starting(Migration migration, Func<(MigrationScriptPlan Plan, int Statement)?> running, string? note = null)
    {
        lock (_gate)
        {
            _migration = migration;
            _running = running;
            _migrationClock.Restart();
        }
        _log.Info($"{_verb} {migration}{note} …");
    }

    /// <summary>A migration committed: said at once, with <paramref name="detail"/> (its time).</summary>
    public void Done(Migration migration, string detail)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_migration, migration)) _migration = null;
        }
        _log.Info($"{_doneVerb} {migration} ({detail})");
    }

    /// <summary>The current migration ended (committed, failed or cancelled): no more "still running" lines for it.</summary>
    public void Finished()
    {
        lock (_gate)
        {
            _migration = null;
            _running = null;
        }
    }

    private void Tick()
    {
        string? line = null;
        lock (_gate)
        {
            if (_migration is null || _running is null || _migrationClock.Elapsed < Interval) return;
            var where = _running();
            var seconds = (long)_migrationClock.Elapsed.TotalSeconds;
            line = where is { } at && at.Statement >= 0 && at.Statement < at.Plan.Statements.Count
                ? $"Still {_runningVerb} {_migration} after {seconds} s: statement {at.Statement + 1} of {at.Plan.Statements.Count} " +
                  $"({at.Plan.Statements[at.Statement].FirstWords(3)}) at {at.Plan.Script.Path}({at.Plan.Statements[at.Statement].StartLine},{at.Plan.Statements[at.Statement].StartColumn}) is running"
                : $"Still {_runningVerb} {_migration} after {seconds} s";
        }
        _log.Info(line);
    }

    public void Dispose()
    {
        Finished();
        _timer?.Dispose();
    }
}
