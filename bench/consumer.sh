# Sourced by the benchmarks: packs Migrations.Build into a private feed and writes a consumer project
# that references it, as a user's project would.
# Usage: make_consumer ROOT WORK [extra PropertyGroup XML]   -> WORK/app (with WORK/app/migrations)
make_consumer() {
  local root=$1 work=$2 extra=${3:-}
  dotnet pack "$root/src/Migrations.Build.Tasks" -c Release -o "$work/feed" -p:PackageVersion=0.0.0-bench -nologo -v:q >/dev/null
  mkdir -p "$work/app/migrations"
  cat > "$work/app/nuget.config" <<XML
<configuration><packageSources><clear /><add key="bench" value="$work/feed" /></packageSources></configuration>
XML
  cat > "$work/app/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><EnableDefaultNoneItems>false</EnableDefaultNoneItems>$extra</PropertyGroup>
  <ItemGroup><PackageReference Include="Migrations.Build" Version="0.0.0-bench" /></ItemGroup>
  <Target Name="Nothing" />
</Project>
XML
}

# The benchmarks' own work folder and environment: every MSBuild run starts fresh (no node reuse, no server),
# no connection configured (the package's local database), and on exit the local database is stopped and
# removed with the folder (KEEP=1 keeps both). Sets $work.
bench_work() {
  work=$(mktemp -d)
  trap bench_cleanup EXIT
  export NUGET_PACKAGES="$work/packages" MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 MSBUILDTERMINALLOGGER=off
  unset MIGRATION_CONNECTION_STRING
}
bench_cleanup() {
  (cd "$work/app" 2>/dev/null && dotnet msbuild -t:MigrateLocalDatabaseStop -nologo -v:q >/dev/null 2>&1) || true
  # As root the cluster may live outside $work, in the folder its location file names: remove it too.
  if [ -z "${KEEP:-}" ] && [ -f "$work/app/obj/migrations-db/location" ]; then rm -rf "$(head -1 "$work/app/obj/migrations-db/location")"; fi
  if [ -n "${KEEP:-}" ]; then echo "kept: $work" >&2; else rm -rf "$work"; fi
}

# Migration i of the benchmarks' realistic mix, by kind (i mod 5): what it creates (up_sql) and how to undo it (down_sql).
up_sql() {
  local i=$1 t=$(( ($1 + 4) / 5 * 5 - 4 ))  # the table of this group of five
  case $(( i % 5 )) in
    1) printf 'CREATE TABLE t%d (\n    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name TEXT NOT NULL,\n    created_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\n' "$t" ;;
    2) printf 'ALTER TABLE t%d ADD COLUMN status TEXT NOT NULL DEFAULT '"'"'new'"'"';\n' "$t" ;;
    3) printf 'CREATE INDEX idx_t%d_name ON t%d (name);\n' "$t" "$t" ;;
    4) printf 'INSERT INTO t%d (name) SELECT '"'"'row '"'"' || g FROM generate_series(1, 20) AS g;\n' "$t" ;;
    0) printf 'CREATE FUNCTION t%d_count() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM t%d $$;\n' "$t" "$t" ;;
  esac
}
down_sql() {
  local i=$1 t=$(( ($1 + 4) / 5 * 5 - 4 ))
  case $(( i % 5 )) in
    1) printf 'DROP TABLE t%d;\n' "$t" ;;
    2) printf 'ALTER TABLE t%d DROP COLUMN status;\n' "$t" ;;
    3) printf 'DROP INDEX idx_t%d_name;\n' "$t" ;;
    4) printf 'DELETE FROM t%d;\n' "$t" ;;
    0) printf 'DROP FUNCTION t%d_count();\n' "$t" ;;
  esac
}

# Starts the consumer's local database (the package's own) and sets $port and PGPASSFILE for psql: the database
# asks for a password, kept in its pgpass file beside its data (which, as root, may live outside obj/: the
# location file says where).
start_local_database() {
  local started db_root
  started=$(cd "$work/app" && dotnet msbuild -t:MigrateStatus -nologo 2>&1)
  port=$(grep -Eo '127\.0\.0\.1:[0-9]+' <<<"$started" | head -1 | cut -d: -f2)
  [ -n "$port" ] || { echo "$started"; exit 1; }
  db_root="$work/app/obj/migrations-db"
  if [ -f "$db_root/location" ]; then db_root=$(head -1 "$db_root/location"); fi
  export PGPASSFILE="$db_root/pgpass"
}
