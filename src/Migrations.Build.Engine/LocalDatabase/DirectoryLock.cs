using System.Diagnostics;

namespace Migrations.Build.Engine.LocalDatabase;

/// <summary>
/// An exclusive lock on a file, held while a cluster is created, started or stopped, so that two builds
/// (or two tests) working on the same data root at the same moment do not both run initdb.
/// FileShare.None is an OS lock (flock on Unix), so it also excludes a second FileStream in the same
/// process, and the OS releases it if the holder dies.
/// </summary>
internal sealed class DirectoryLock : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);

    private readonly FileStream _stream;

    private DirectoryLock(FileStream stream) => _stream = stream;

    public static DirectoryLock Acquire(string lockFile, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new DirectoryLock(new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e)
            {
                if (waited.Elapsed >= timeout)
                {
                    throw new LocalDatabaseException(
                        $"could not lock '{lockFile}' within {timeout.TotalSeconds:0} s: another build or test is still " +
                        $"creating or starting the local database there ({e.Message})", e);
                }
                Thread.Sleep(RetryDelay);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
