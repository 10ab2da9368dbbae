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
