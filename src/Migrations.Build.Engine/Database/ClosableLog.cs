namespace Migrations.Build.Engine.Database;

/// <summary>
/// A log for work on another thread that may outlive its caller: once closed, messages are dropped, since
/// MSBuild refuses messages from a task that has returned.
/// </summary>
internal sealed class ClosableLog(IMigrationLog inner) : IMigrationLog
{
    private readonly object _gate = new();
    private bool _closed;

    public void Close()
    {
        lock (_gate) _closed = true;
    }

    public void Info(string message)
    {
        lock (_gate) if (!_closed) inner.Info(message);
    }

    public void Detail(string message)
    {
        lock (_gate) if (!_closed) inner.Detail(message);
    }

    public void Report(MigrationDiagnostic diagnostic)
    {
        lock (_gate) if (!_closed) inner.Report(diagnostic);
    }
}
