#!/usr/bin/env bash
# Benchmark: MigrateUpAll over many databases, one at a time (MigrationParallelism=1) vs in parallel, on one
# local server; then a rerun with nothing pending, and a run where some databases fail.
# Usage: bench/fleet.sh [DATABASES] [MIGRATIONS] [PARALLELISM]   (defaults 50, 100, 4)
# Generated migrations: the same mix as bench/apply.sh (CREATE TABLE, ADD COLUMN, CREATE INDEX, INSERT, CREATE FUNCTION).
set -euo pipefail
dbs=${1:-50}
n=${2:-100}
par=${3:-4}
fails=3
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/consumer.sh"
bench_work

echo "packing and generating $n migrations..." >&2
make_consumer "$root" "$work"

for ((i = 1; i <= n; i++)); do
  v=$(printf '%06d' "$i")
  printf 'BEGIN;\n\n%s\n\nCOMMIT;\n' "$(up_sql "$i")" > "$work/app/migrations/${v}_m$i.up.sql"
  printf 'SELECT 1;\n' > "$work/app/migrations/${v}_m$i.down.sql"
done

cd "$work/app"
dotnet restore -nologo -v:q >/dev/null
start_local_database
psql_cmd() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
ms() { local s e rc; s=$(date +%s%N); "$@" >"$work/last.log" 2>&1 && rc=0 || rc=$?; e=$(date +%s%N); echo "$(((e - s) / 1000000)) $rc"; }

# DATABASES fresh databases fleet_1..fleet_N, listed in a file; the password stays in the pgpass file (Passfile=).
fresh_fleet() {
  { for ((d = 1; d <= dbs; d++)); do echo "DROP DATABASE IF EXISTS fleet_$d WITH (FORCE);"; echo "CREATE DATABASE fleet_$d;"; done; echo "CHECKPOINT;"; } \
    | psql_cmd -d postgres >/dev/null
}
{ echo "# $dbs databases on one local server"; for ((d = 1; d <= dbs; d++)); do echo "Host=127.0.0.1;Port=$port;Username=postgres;Passfile=$PGPASSFILE;Database=fleet_$d"; done; } > "$work/databases.txt"
up_all() { dotnet msbuild -t:MigrateUpAll -nologo -p:MigrationDatabasesFile="$work/databases.txt" -p:MigrationReportFile="$work/report.json" "$@"; }
# The task's own time, from the performance summary (without MSBuild's start-up).
task_ms() { grep -E '^\s+[0-9]+ ms\s+ApplyMigrationsToAll' "$work/last.log" | awk '{print $1}'; }

echo "creating $dbs databases, applying $n migrations to each..." >&2
fresh_fleet
read -r t_seq rc < <(ms up_all -p:MigrationParallelism=1 -clp:PerformanceSummary); [ "$rc" = 0 ] || { cat "$work/last.log"; exit 1; }
task_seq=$(task_ms)
rows_seq=$(psql_cmd -d "fleet_$dbs" -tAc "SELECT count(*) FROM schema_migrations")
fresh_fleet
read -r t_par rc < <(ms up_all -p:MigrationParallelism="$par" -clp:PerformanceSummary); [ "$rc" = 0 ] || { cat "$work/last.log"; exit 1; }
task_par=$(task_ms)
rows_par=$(psql_cmd -d "fleet_$dbs" -tAc "SELECT count(*) FROM schema_migrations")
# Nothing pending anywhere: each database only checked.
read -r t_none rc < <(ms up_all -p:MigrationParallelism="$par" -clp:PerformanceSummary); [ "$rc" = 0 ] || { cat "$work/last.log"; exit 1; }
task_none=$(task_ms)
none_summary=$(grep -E 'database\(s\) in [0-9]+ ms' "$work/last.log" | sed 's/^ *//')

# FAILS databases where the table of migration 1 exists already: they fail at their first migration.
fresh_fleet
for ((d = 1; d <= fails; d++)); do psql_cmd -d "fleet_$((d * dbs / (fails + 1)))" -c "CREATE TABLE t1 (id int)" >/dev/null; done
read -r t_fail rc < <(ms up_all -p:MigrationParallelism="$par" -p:MigrationOnFailure=continue)
fail_summary=$(grep -E 'database\(s\) in [0-9]+ ms' "$work/last.log" | sed 's/^ *//')
fail_lines=$(grep -E '^\s*\[[0-9]+/[0-9]+\] FAILED' "$work/last.log" | sed 's/^ */  /')
cp "$work/report.json" "$work/report-failed.json"
read -r t_stop rc_stop < <(fresh_fleet; for ((d = 1; d <= fails; d++)); do psql_cmd -d "fleet_$((d * dbs / (fails + 1)))" -c "CREATE TABLE t1 (id int)" >/dev/null; done; ms up_all -p:MigrationParallelism="$par")
stop_summary=$(grep -E 'database\(s\) in [0-9]+ ms' "$work/last.log" | sed 's/^ *//')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "$dbs databases x $n migrations, one PostgreSQL server on 127.0.0.1:$port, $(nproc) cores; history rows per database: $rows_seq (sequential), $rows_par (parallel)"
printf '%-62s %10s %10s\n' "what" "command ms" "task ms"
printf '%-62s %10s %10s\n' "MigrateUpAll, MigrationParallelism=1 (sequential)" "$t_seq" "$task_seq"
printf '%-62s %10s %10s\n' "MigrateUpAll, MigrationParallelism=$par" "$t_par" "$task_par"
printf '%-62s %10s %10s\n' "MigrateUpAll again, nothing pending (parallelism $par)" "$t_none" "$task_none"
echo "sequential / parallel: whole command $(ratio "$t_seq" "$t_par"), task $(ratio "$task_seq" "$task_par")"
echo "nothing pending: $none_summary"
echo
echo "with $fails failing databases, MigrationOnFailure=continue ($t_fail ms, exit code non-zero as expected):"
echo "  $fail_summary"
echo "$fail_lines"
echo "  report: $(jq -c '.summary' "$work/report-failed.json")"
jq -r '.databases[] | select(.result == "failed") | "  report entry: \(.database) (\(.origin)): \(.errors[0].code) \(.errors[0].message[0:110])…"' "$work/report-failed.json"
echo "the same, MigrationOnFailure=stop ($t_stop ms): $stop_summary"
