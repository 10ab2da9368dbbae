#!/usr/bin/env bash
# Benchmark: what validating N migration files costs a build.
# Usage: bench/validate.sh [N]   (N migrations in the paired layout, so 2N files; default 10000)
# Prints the task's own time, the whole build with and without validation, and a no-change rebuild.
set -euo pipefail
n=${1:-10000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap "rm -rf \"$work\"" EXIT; [ -n "${KEEP:-}" ] && trap - EXIT && echo "work: $work"
export NUGET_PACKAGES="$work/packages" MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 MSBUILDTERMINALLOGGER=off

source "$root/bench/consumer.sh"
make_consumer "$root" "$work"

# Realistic files: a table with columns, a constraint and an index, about 600 bytes each.
for ((i = 1; i <= n; i++)); do
  v=$(printf '%06d' "$i")
  printf -- '-- Migration: create_table_%d\nBEGIN;\n\nCREATE TABLE table_%d (\n    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name TEXT NOT NULL,\n    description TEXT,\n    settings JSONB NOT NULL DEFAULT '"'"'{}'"'"'::jsonb,\n    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),\n    CONSTRAINT table_%d_name_key UNIQUE (name)\n);\n\nCREATE INDEX idx_table_%d_created_at ON table_%d (created_at);\n\nCOMMIT;\n' "$i" "$i" "$i" "$i" "$i" > "$work/app/migrations/${v}_create_table_$i.up.sql"
  printf -- '-- Rollback: create_table_%d\nBEGIN;\n\nDROP TABLE IF EXISTS table_%d;\n\nCOMMIT;\n' "$i" "$i" > "$work/app/migrations/${v}_create_table_$i.down.sql"
done
bytes=$(cat "$work/app/migrations"/*.sql | wc -c)

cd "$work/app"
dotnet restore -nologo -v:q >/dev/null
ms() { local s e; s=$(date +%s%N); "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log"; exit 1; }; e=$(date +%s%N); echo $(((e - s) / 1000000)); }

dotnet msbuild -t:MigrateHash -nologo -v:q >/dev/null # a real project commits its migrations.sum
dotnet build --no-restore -nologo -v:q >/dev/null 2>&1 # warm up: compile once, so later builds differ only in validation
rm -f obj/Debug/net10.0/Migrations.Build.validated
with=$(ms dotnet build --no-restore -nologo -clp:PerformanceSummary)
task=$(grep -E '^\s+[0-9]+ ms\s+ValidateMigrations' "$work/last.log" | awk '{print $1}')
best() { local b=999999 t; for _ in 1 2 3; do t=$(ms "$@"); ((t < b)) && b=$t; done; echo "$b"; }
unchanged=$(best dotnet build --no-restore -nologo)
without=$(best dotnet build --no-restore -nologo -p:MigrationValidation=false)

echo "migrations: $n ($((2 * n)) files, $((bytes / 1024)) KiB)"
echo "ValidateMigrations task (its own time):        ${task} ms"
echo "dotnet build, validation runs:                  ${with} ms"
echo "dotnet build, validation off (best of 3):       ${without} ms"
echo "dotnet build, nothing changed (best of 3):      ${unchanged} ms"
echo "validation cost in the build:                   $((with - without)) ms"
echo "no-change cost in the build:                    $((unchanged - without)) ms"
