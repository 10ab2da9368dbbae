using System.Diagnostics;
using Migrations.Build.Engine;
using Migrations.Build.Engine.Linting;

// Usage: LintBenchmark <migrations folder> [warm runs]
// Prints the first (cold: JIT included) and the best warm run of: loading the folder (read, UTF-8 check,
// folder checks) and linting its SQL, as files/s and MB/s.
var folder = args[0];
var runs = args.Length > 1 ? int.Parse(args[1]) : 5;
var files = Directory.GetFiles(folder, "*.sql");
var megabytes = files.Sum(f => new FileInfo(f).Length) / 1_000_000.0;

(double LoadMs, double LintMs, int Findings) Run()
{
    var load = Stopwatch.StartNew();
    var set = MigrationSetLoader.Load(new MigrationSetOptions(folder));
    load.Stop();
    var lint = Stopwatch.StartNew();
    var findings = MigrationLinter.Lint(set, LintOptions.Default).Count;
    lint.Stop();
    return (load.Elapsed.TotalMilliseconds, lint.Elapsed.TotalMilliseconds, findings + set.Diagnostics.Count);
}

var cold = Run();
var warm = Enumerable.Range(0, runs).Select(_ => Run()).ToList();
var bestLint = warm.Min(r => r.LintMs);
var bestTotal = warm.Min(r => r.LoadMs + r.LintMs);

void Line(string what, double ms) =>
    Console.WriteLine($"{what,-34} {ms,9:0.0} ms {files.Length / (ms / 1000),12:0} files/s {megabytes / (ms / 1000),9:0.0} MB/s");

Console.WriteLine($"{files.Length} files, {megabytes:0.00} MB, {cold.Findings} diagnostics");
var texts = files.Select(File.ReadAllText).ToList();
double SplitMs()
{
    var clock = Stopwatch.StartNew();
    foreach (var text in texts) Migrations.Build.Engine.Sql.SqlStatementSplitter.Split(text);
    return clock.Elapsed.TotalMilliseconds;
}
double LexMs()
{
    var clock = Stopwatch.StartNew();
    foreach (var text in texts) Migrations.Build.Engine.Sql.SqlLexer.Tokenize(text);
    return clock.Elapsed.TotalMilliseconds;
}
var splits = texts.Select(Migrations.Build.Engine.Sql.SqlStatementSplitter.Split).ToList();
double ClassifyMs()
{
    var clock = Stopwatch.StartNew();
    foreach (var split in splits)
        foreach (var statement in split.Statements) StatementClassifier.Classify(statement);
    return clock.Elapsed.TotalMilliseconds;
}
Line("classify only, best warm run", Enumerable.Range(0, runs + 1).Select(_ => ClassifyMs()).Skip(1).Min());
Line("lex only, best warm run", Enumerable.Range(0, runs + 1).Select(_ => LexMs()).Skip(1).Min());
Line("split only, best warm run", Enumerable.Range(0, runs + 1).Select(_ => SplitMs()).Skip(1).Min());
Line("lint, first run (cold, JIT)", cold.LintMs);
Line("lint, best warm run", bestLint);
Line("load + lint, first run (cold)", cold.LoadMs + cold.LintMs);
Line("load + lint, best warm run", bestTotal);
