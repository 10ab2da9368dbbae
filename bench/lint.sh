#!/usr/bin/env bash
# Benchmark: SQL linting at build time over N generated migration files (default 10,000), on one core.
# Prints files/s and MB/s of the packed engine (cold and warm; both builds the package ships), the
# ValidateMigrations task's own time in a real build, and squawk (npm squawk-cli) on the same files where
# it installs, with the ratio.
set -euo pipefail
n=${1:-10000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NUGET_PACKAGES="$work/packages" MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 MSBUILDTERMINALLOGGER=off
one_core() { if command -v taskset >/dev/null; then taskset -c 0 "$@"; else "$@"; fi; }

# Realistic forward-only files, about 600 bytes each: table, index, column, data, function.
mkdir -p "$work/app/migrations"
for ((i = 1; i <= n; i++)); do
  printf -- '-- Migration %d: table t%d\nBEGIN;\n\nCREATE TABLE IF NOT EXISTS t%d (\n    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name TEXT NOT NULL,\n    note TEXT DEFAULT '"'"'it'"'"''"'"'s; fine'"'"',\n    created_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\n\nCREATE INDEX idx_t%d_name ON t%d (name);\nALTER TABLE t%d ADD COLUMN status TEXT NOT NULL DEFAULT '"'"'new'"'"';\nINSERT INTO t%d (name) VALUES ('"'"'first'"'"'), ('"'"'second'"'"');\nCREATE FUNCTION t%d_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM t%d; $$;\n\nCOMMIT;\n' \
    "$i" "$i" "$i" "$i" "$i" "$i" "$i" "$i" "$i" > "$work/app/migrations/$(printf '%05d' "$i")_t$i.sql"
done

# The package as users get it: its engine is what the benchmark below runs, in both builds it ships.
source "$root/bench/consumer.sh"
make_consumer "$root" "$work" '<MigrationIntegrityCheck>false</MigrationIntegrityCheck><NoWarn>$(NoWarn);MIG115</NoWarn>'
dotnet build "$root/bench/LintBenchmark" -c Release -nologo -v:q -o "$work/bin" >/dev/null
(cd "$work/app" && dotnet restore -nologo -v:q >/dev/null)
pkg="$work/packages/migrations.build/0.0.0-bench"

# SDK 10 and later load tasks/net10.0, precompiled (ReadyToRun, linux-x64). SDK 8 and 9 load tasks/net8.0,
# which the JIT compiles; pinned to one core, .NET's tiering then keeps most of it unoptimized for the
# whole run (it waits for a second without new JIT work before optimizing hot code).
echo "engine of tasks/net10.0 (SDK 10+: ReadyToRun), pinned to one core:"
cp "$pkg/tasks/net10.0/Migrations.Build.Engine.dll" "$work/bin/"
one_core dotnet "$work/bin/LintBenchmark.dll" "$work/app/migrations" 5
echo
echo "engine of tasks/net8.0 (SDK 8 and 9: JIT), pinned to one core:"
cp "$pkg/tasks/net8.0/Migrations.Build.Engine.dll" "$work/bin/"
one_core dotnet "$work/bin/LintBenchmark.dll" "$work/app/migrations" 5
echo

# The task's own time in a real build of a consumer project (loading, folder checks, lint), cold process.
(cd "$work/app" && dotnet build -nologo -clp:PerformanceSummary > "$work/build.log" 2>&1) || { tail -20 "$work/build.log"; exit 1; }
task_ms=$(grep -E '^\s+[0-9]+ ms\s+ValidateMigrations' "$work/build.log" | awk '{print $1}')
echo "ValidateMigrations task in dotnet build (load + folder checks + lint, cold process): ${task_ms} ms for $n files"

squawk="n/a"
if (cd "$work" && npm install --no-audit --no-fund --silent squawk-cli >/dev/null 2>&1); then
  s=$(date +%s%N)
  (cd "$work/app/migrations" && one_core "$work/node_modules/.bin/squawk" ./*.sql >/dev/null 2>&1) || true
  e=$(date +%s%N)
  squawk=$(((e - s) / 1000000))
fi
echo "squawk-cli on the same $n files, one core: ${squawk} ms"
if [[ "$squawk" =~ ^[0-9]+$ && -n "$task_ms" ]]; then
  awk -v a="$squawk" -v b="$task_ms" 'BEGIN { printf "squawk / ValidateMigrations task: %.1fx\n", a / b }'
fi
