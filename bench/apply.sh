#!/usr/bin/env bash
# Benchmark: what applying N migrations costs, against the floor (psql) and the peers a user would pick.
# Usage: bench/apply.sh [N]   (default 1000)
# One PostgreSQL server (the package's own local database), a fresh database for each contender.
# Generated migrations: a realistic mix of CREATE TABLE, ADD COLUMN, CREATE INDEX, INSERT, CREATE FUNCTION.
set -euo pipefail
n=${1:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/consumer.sh"
bench_work

echo "packing and generating $n migrations..." >&2
make_consumer "$root" "$work"
mkdir -p "$work/dbmate/db/migrations" "$work/grate/up" "$work/psql"

: > "$work/psql/all.sql"
for ((i = 1; i <= n; i++)); do
  v=$(printf '%06d' "$i"); up=$(up_sql "$i"); down=$(down_sql "$i")
  printf 'BEGIN;\n\n%s\n\nCOMMIT;\n' "$up" > "$work/app/migrations/${v}_m$i.up.sql"
  printf 'BEGIN;\n\n%s\n\nCOMMIT;\n' "$down" > "$work/app/migrations/${v}_m$i.down.sql"
  printf -- '-- migrate:up\n%s\n\n-- migrate:down\n%s\n' "$up" "$down" > "$work/dbmate/db/migrations/${v}_m$i.sql"
  printf '%s\n' "$up" > "$work/grate/up/${v}_m$i.sql"
  printf 'BEGIN;\n%s\nCOMMIT;\n' "$up" >> "$work/psql/all.sql"
done

cd "$work/app"
dotnet restore -nologo -v:q >/dev/null
start_local_database
password=$(cut -d: -f5 "$PGPASSFILE")
psql_cmd() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
# Each contender starts alike, on a new database "bench": the previous contender's database is dropped
# (so no autovacuum of its catalog runs meanwhile) and its WAL flushed (CHECKPOINT).
fresh_db() { psql_cmd -d postgres -c "DROP DATABASE IF EXISTS bench WITH (FORCE)" -c "CREATE DATABASE bench" -c "CHECKPOINT" >/dev/null 2>&1; }
conn() { echo "Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=$1"; }
ms() { local s e; s=$(date +%s%N); "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; return 1; }; e=$(date +%s%N); echo $(((e - s) / 1000000)); }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
task_ms() { grep -E '^\s+[0-9]+ ms\s+ApplyMigrations' "$work/last.log" | awk '{print $1}'; }
has_dbmate=false; has_grate=false
(cd "$work/dbmate" && npm install --no-audit --no-fund --silent dbmate >/dev/null 2>&1) && has_dbmate=true
(cd "$work" && dotnet tool install grate --tool-path "$work/grate-tool" >/dev/null 2>&1) && has_grate=true

# ROUNDS rounds (default 3), each contender on a fresh database. This machine's speed drifts (the same psql
# run has taken 450 ms and 1,350 ms minutes apart), so each round brackets the task with a psql run before
# and after it and compares the task with their mean: a drift during the round falls on both sides alike.
# The peers run after, alternating their order by round. The table shows medians over the rounds.
rounds=${ROUNDS:-3}
: > "$work/t_psql"; : > "$work/t_up"; : > "$work/t_up_task"; : > "$work/t_dbmate"; : > "$work/t_grate"; : > "$work/r_task"
run_dbmate() {
  $has_dbmate || return 0
  fresh_db
  (cd "$work/dbmate" && DATABASE_URL="postgres://postgres:$password@127.0.0.1:$port/bench?sslmode=disable" ms ./node_modules/.bin/dbmate --no-dump-schema up) >> "$work/t_dbmate"
}
run_grate() {
  $has_grate || return 0
  fresh_db
  ms "$work/grate-tool/grate" --connectionstring="$(conn bench)" --databasetype=postgresql --files="$work/grate" --silent >> "$work/t_grate"
}
for ((r = 1; r <= rounds; r++)); do
  fresh_db
  before=$(ms psql_cmd -d bench -f "$work/psql/all.sql")
  fresh_db
  MIGRATION_CONNECTION_STRING=$(conn bench) ms dotnet msbuild -t:MigrateUp -nologo -clp:PerformanceSummary >> "$work/t_up"
  task=$(task_ms); echo "$task" >> "$work/t_up_task"
  fresh_db
  after=$(ms psql_cmd -d bench -f "$work/psql/all.sql")
  floor=$(( (before + after) / 2 )); echo "$floor" >> "$work/t_psql"
  echo "$task $floor $before $after" >> "$work/r_task"
  if (( r % 2 )); then run_dbmate; run_grate; else run_grate; run_dbmate; fi
done
t_psql=$(median < "$work/t_psql"); t_up=$(median < "$work/t_up"); t_up_task=$(median < "$work/t_up_task")
t_dbmate=$($has_dbmate && median < "$work/t_dbmate" || echo "n/a")
t_grate=$($has_grate && median < "$work/t_grate" || echo "n/a")
# The task against its own round's floor, round by round; the median of those ratios is the fair comparison.
r_task=$(awk '{ printf "%.2f\n", $1 / $2 }' "$work/r_task" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')

# Nothing pending: MigrateUp once more (untimed), then again in a fresh MSBuild process each time (node reuse is off).
fresh_db
MIGRATION_CONNECTION_STRING=$(conn bench) ms dotnet msbuild -t:MigrateUp -nologo >/dev/null
applied=$(psql_cmd -d bench -tAc "SELECT count(*) FROM schema_migrations")
: > "$work/none.txt"
for _ in 1 2 3 4 5; do
  t=$(MIGRATION_CONNECTION_STRING=$(conn bench) ms dotnet msbuild -t:MigrateUp -nologo -clp:PerformanceSummary)
  echo "$t $(task_ms)" >> "$work/none.txt"
done
t_none=$(cut -d' ' -f1 "$work/none.txt" | median)
t_none_task=$(cut -d' ' -f2 "$work/none.txt" | median)
t_bare=$(ms dotnet msbuild -t:Nothing -nologo)

ratio() { if [[ "$1" =~ ^[0-9]+$ && "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; else echo "-"; fi; }
echo
echo "N = $n migrations (history rows written by MigrateUp: $applied), PostgreSQL on 127.0.0.1:$port, median of $rounds rounds"
echo "each round, in ms: task vs floor (psql before, after): $(awk '{ printf "%s vs %s (%s, %s) = %.2f; ", $1, $2, $3, $4, $1 / $2 }' "$work/r_task")"
echo "each round, in ms: MigrateUp $(tr '\n' ' ' < "$work/t_up")| task $(tr '\n' ' ' < "$work/t_up_task")| dbmate $(tr '\n' ' ' < "$work/t_dbmate")| grate $(tr '\n' ' ' < "$work/t_grate")"
echo "nothing pending, each run, in ms (task / whole command): $(awk '{printf "%s/%s ", $2, $1}' "$work/none.txt")"
printf '%-58s %10s %14s\n' "what" "ms" "vs psql floor"
printf '%-58s %10s %14s\n' "psql, one session, one transaction per file (floor)" "$t_psql" "1.00"
printf '%-58s %10s %14s\n' "MigrateUp: ApplyMigrations task's own time" "$t_up_task" "$r_task"
printf '%-58s %10s %14s\n' "MigrateUp: whole dotnet msbuild command" "$t_up" "$(ratio "$t_up" "$t_psql")"
printf '%-58s %10s %14s\n' "MigrateUp, nothing pending: task's own time (median of 5)" "$t_none_task" "-"
printf '%-58s %10s %14s\n' "MigrateUp, nothing pending: whole command (median of 5)" "$t_none" "-"
printf '%-58s %10s %14s\n' "bare dotnet msbuild of an empty target (fixed cost)" "$t_bare" "-"
printf '%-58s %10s %14s\n' "dbmate up (npm package)" "$t_dbmate" "$(ratio "$t_dbmate" "$t_psql")"
printf '%-58s %10s %14s\n' "grate (dotnet tool)" "$t_grate" "$(ratio "$t_grate" "$t_psql")"
# The whole command against each peer in the same round, then the median of those ratios.
per_round() { paste -d' ' "$work/t_up" "$1" | awk 'NF == 2 && $2 > 0 { printf "%.2f\n", $1 / $2 }'; }
vs_round() { local r; r=$(per_round "$1" | tr '\n' ' '); [ -n "$r" ] && echo "$r(median $(per_round "$1" | median))" || echo "n/a"; }
echo "whole MigrateUp command vs dbmate, round by round: $(vs_round "$work/t_dbmate")"
echo "whole MigrateUp command vs grate, round by round: $(vs_round "$work/t_grate")"
