using Migrations.Build.Engine.Database;
using Npgsql;

namespace Migrations.Build.EndToEnd.Tests;

/// <summary>Where the connection comes from, what is never printed, and every connection-level error.</summary>
[Collection(ConnectionCollection.Name)]
public sealed class ConnectionTests : IDisposable
{
    private const string Secret = "Sup3rSecretPassw0rd";
    private readonly ConsumerProject _project;
    private readonly DatabaseFixture _database;
    private readonly string _db;

    public ConnectionTests(PackageFixture package, DatabaseFixture database)
    {
        _database = database;
        _project = package.NewConsumer();
        _db = database.NewDatabase();
        _project.WritePair("000001_create_users", "CREATE TABLE users (id int);\n", "DROP TABLE users;\n");
    }

    public void Dispose() => _project.Dispose();

    /// <summary>The connection string for a new superuser role whose password is <see cref="Secret"/>: the server checks it.</summary>
    private string WithPassword(string connectionString)
    {
        var role = "p_" + Guid.NewGuid().ToString("N")[..8];
        DatabaseFixture.Execute(_db, $"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{Secret}';");
        return new NpgsqlConnectionStringBuilder(connectionString) { Username = role, Password = Secret, Passfile = null }.ConnectionString;
    }

    [Fact]
    public void Password_from_the_environment_never_appears_in_diag_output_or_a_binary_log()
    {
        _project.Variables["MIGRATION_CONNECTION_STRING"] = WithPassword(_db);
        var binlog = Path.Combine(_project.Directory, "build.binlog");
        var result = _project.MSBuild("-t:MigrateUp", "-v:diag", "-bl:" + binlog);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Applied 000001_create_users", result.Output);
        Assert.Contains("from environment variable MIGRATION_CONNECTION_STRING", result.Output);
        Assert.DoesNotContain(Secret, result.Output);

        var replay = DotNet.Run(_project.Directory, null, "msbuild", binlog, "-v:diag", "-nologo");
        Assert.Contains("Applied 000001_create_users", replay.Output);
        Assert.DoesNotContain(Secret, replay.Output);
        Assert.DoesNotContain(Secret, File.ReadAllText(binlog)); // and not in the raw file either (it is compressed, so also check the replay)
    }

    [Fact]
    public void Password_in_the_property_is_used_with_a_warning_and_never_echoed_by_the_tool()
    {
        var result = _project.MSBuild("-t:MigrateUp", "-p:MigrationConnectionString=" + WithPassword(_db).Replace(";", "%3B"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("MIGRATION_CONNECTION_STRING environment variable", result.Single("MIG215").Message);
        Assert.DoesNotContain(Secret, result.Output);
    }

    [Fact]
    public void Renamed_variable_and_postgres_url_work()
    {
        var b = new NpgsqlConnectionStringBuilder(WithPassword(_db));
        _project.Variables["APP_DB"] = $"postgres://{b.Username}:{Secret}@{b.Host}:{b.Port}/{b.Database}?sslmode=disable";
        var result = _project.MSBuild("-t:MigrateUp", "-p:MigrationConnectionStringVariable=APP_DB");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"{b.Host}:{b.Port}/{b.Database} as {b.Username}", result.Output);
        Assert.DoesNotContain(Secret, result.Output);
        Assert.True(DatabaseFixture.TableExists(_db, "users"));
    }

    [Fact]
    public void Golang_migrate_URL_option_for_its_table_is_refused_not_ignored()
    {
        var b = new NpgsqlConnectionStringBuilder(WithPassword(_db));
        _project.Variables["APP_DB"] = $"postgres://{b.Username}:{Secret}@{b.Host}:{b.Port}/{b.Database}?sslmode=disable&x-migrations-table=app_history";
        var result = _project.MSBuild("-t:MigrateUp", "-p:MigrationConnectionStringVariable=APP_DB");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("x-migrations-table", result.Single("MIG012").Message);
        Assert.DoesNotContain(Secret, result.Output);
        Assert.False(DatabaseFixture.TableExists(_db, "schema_migrations"));
    }

    [Fact]
    public void Several_hosts_with_target_session_attributes_connect()
    {
        // An HA connection string: the lean data source refuses it, so several hosts take the plain NpgsqlConnection way.
        var b = new NpgsqlConnectionStringBuilder(_db);
        _project.Variables["MIGRATION_CONNECTION_STRING"] = new NpgsqlConnectionStringBuilder(_db)
        {
            Host = $"{b.Host}:{b.Port},{b.Host}:{b.Port}",
            TargetSessionAttributes = "read-write",
        }.ConnectionString;
        var result = _project.MSBuild("-t:MigrateUp");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(DatabaseFixture.TableExists(_db, "users"));
    }

    [Fact]
    public void Cannot_connect_is_MIG201()
    {
        var b = new NpgsqlConnectionStringBuilder(_db) { Port = FreePort(), Timeout = 3 };
        _project.Variables["MIGRATION_CONNECTION_STRING"] = b.ConnectionString;
        var result = _project.MSBuild("-t:MigrateUp");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"cannot connect to 127.0.0.1:{b.Port}", result.Single("MIG201").Message);
    }

    [Fact]
    public void Unknown_role_is_MIG202_and_missing_database_is_MIG203()
    {
        _project.Variables["MIGRATION_CONNECTION_STRING"] = new NpgsqlConnectionStringBuilder(_db) { Username = "nobody_here", Password = Secret }.ConnectionString;
        var auth = _project.MSBuild("-t:MigrateUp");
        Assert.NotEqual(0, auth.ExitCode);
        Assert.Contains("authentication failed", auth.Single("MIG202").Message);
        Assert.DoesNotContain(Secret, auth.Output);

        _project.Variables["MIGRATION_CONNECTION_STRING"] = new NpgsqlConnectionStringBuilder(_db) { Database = "no_such_db" }.ConnectionString;
        var missing = _project.MSBuild("-t:MigrateUp");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("database 'no_such_db' does not exist", missing.Single("MIG203").Message);
    }

    [Fact]
    public void Permission_denied_is_MIG204()
    {
        var role = "r_" + Guid.NewGuid().ToString("N")[..8];
        DatabaseFixture.Execute(_db, $"CREATE ROLE {role} LOGIN PASSWORD '{Secret}'; CREATE SCHEMA locked; REVOKE ALL ON SCHEMA public FROM PUBLIC;");
        _project.Variables["MIGRATION_CONNECTION_STRING"] = new NpgsqlConnectionStringBuilder(_db) { Username = role, Password = Secret, Passfile = null }.ConnectionString;
        var result = _project.MSBuild("-t:MigrateUp", "-p:MigrationsSchema=locked");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("permission denied", result.Single("MIG204").Message);
    }

    [Fact]
    public async Task A_run_waits_for_the_lock_says_so_and_times_out_with_MIG205()
    {
        _project.Variables["MIGRATION_CONNECTION_STRING"] = _db;
        // Unpooled: closing it must end the session, and with it the lock.
        using var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_db) { Pooling = false }.ConnectionString);
        holder.Open();
        using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({new HistoryTable("public", "schema_migrations").LockKey})", holder)) take.ExecuteNonQuery();

        var result = _project.MSBuild("-t:MigrateUp", "-p:MigrationLockTimeout=2");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Waiting for another migration run", result.Output);
        Assert.Contains("MigrationLockTimeout", result.Single("MIG205").Message);
        Assert.False(DatabaseFixture.TableExists(_db, "users"));

        // Released while a run waits: the run goes on.
        var waiting = Task.Run(() => _project.MSBuild("-t:MigrateUp", "-p:MigrationLockTimeout=60"));
        // Release only once the run is connected and polling for the lock, however slow the machine is.
        var database = new NpgsqlConnectionStringBuilder(_db).Database;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DatabaseFixture.Scalar<long>(_db, $"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'Migrations.Build' AND datname = '{database}'") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the waiting MigrateUp never connected");
            await Task.Delay(100);
        }
        await Task.Delay(TimeSpan.FromSeconds(1));
        await holder.CloseAsync();
        var released = await waiting;
        Assert.True(released.ExitCode == 0, released.ToString());
        Assert.Contains("Waiting for another migration run", released.Output);
        Assert.True(DatabaseFixture.TableExists(_db, "users"));
    }

    [Fact]
    public void No_connection_starts_a_local_database_under_obj_reuses_it_and_stops_it()
    {
        var first = _project.MSBuild("-t:MigrateUp");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("started local PostgreSQL", first.Output);
        Assert.Contains(Path.Combine(_project.Directory, "obj", "migrations-db"), first.Output);
        Assert.Contains("Applied 000001_create_users", first.Output);

        var second = _project.MSBuild("-t:MigrateUp");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("using local PostgreSQL", second.Output);
        Assert.Contains("up to date at version 1", second.Output);

        // The destructive-statement gate is for real databases: rolling back the local one needs no extra yes.
        var down = _project.MSBuild("-t:MigrateDown");
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Contains("Rolled back 000001_create_users", down.Output);

        var stop = _project.MSBuild("-t:MigrateLocalDatabaseStop");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains("Stopped the local development database", stop.Output);
        Engine.LocalDatabase.LocalPostgresCluster.Delete(Path.Combine(_project.Directory, "obj", "migrations-db"));
    }

    [Fact]
    public void No_connection_and_no_server_binaries_is_MIG200_saying_how_to_fix_it()
    {
        var empty = Path.Combine(_project.Directory, "no-postgres-here");
        Directory.CreateDirectory(empty);
        _project.Variables["MIGRATION_POSTGRES_BIN"] = empty;
        var result = _project.MSBuild("-t:MigrateUp");
        Assert.NotEqual(0, result.ExitCode);
        var d = result.Single("MIG200");
        Assert.Contains("MIGRATION_CONNECTION_STRING", d.Message);
        Assert.Contains(empty, d.Message);
        Assert.False(Directory.Exists(Path.Combine(_project.Directory, "obj", "migrations-db", "data")));
    }

    [Fact]
    public void A_folder_with_errors_does_not_start_or_create_the_local_database()
    {
        File.WriteAllText(Path.Combine(_project.MigrationsDirectory, "add_users.sql"), "SELECT 1;\n");
        var result = _project.MSBuild("-t:MigrateUp");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(result.Diagnostics, d => d.Code == "MIG001");
        Assert.Contains("nothing was run against the database", result.Output);
        Assert.DoesNotContain("local PostgreSQL", result.Output);
        Assert.False(Directory.Exists(Path.Combine(_project.Directory, "obj", "migrations-db")));
    }

    [Fact]
    public void A_connection_string_that_does_not_parse_never_echoes_part_of_the_password()
    {
        _project.Variables["MIGRATION_CONNECTION_STRING"] = "Host=127.0.0.1;Username=postgres;Password=Sec;retPart=zz";
        var result = _project.MSBuild("-t:MigrateUp");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("quoted", result.Single("MIG012").Message);
        Assert.DoesNotContain("retPart", result.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_local_database_asks_for_a_password_kept_in_a_file_only_this_user_reads()
    {
        // Other users of the machine can reach its loopback port: without the password they get nothing.
        var file = _database.Cluster.PasswordFile;
        Assert.NotNull(file);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.DoesNotContain(File.ReadAllText(file).Split(':')[^1].Trim(), _db);

        var withoutPassword = new NpgsqlConnectionStringBuilder(_db) { Passfile = null, Pooling = false }.ConnectionString;
        using var connection = new NpgsqlConnection(withoutPassword);
        var refused = Assert.ThrowsAny<NpgsqlException>(() => connection.Open());
        Assert.Contains("password", refused.Message, StringComparison.OrdinalIgnoreCase);

        var wrongPassword = new NpgsqlConnectionStringBuilder(_db) { Passfile = null, Password = "guess", Pooling = false }.ConnectionString;
        using var guessed = new NpgsqlConnection(wrongPassword);
        Assert.Equal("28P01", Assert.IsType<PostgresException>(Record.Exception(() => guessed.Open())).SqlState);
    }

    [Fact]
    public void A_TLS_connection_works_and_is_really_encrypted()
    {
        // Deploy connections use TLS (sslmode=require): the runner's lean data source must keep it. The shared
        // test server gets a throwaway self-signed certificate and TLS is switched on by a reload, then off again.
        var dataDirectory = _database.Cluster.DataDirectory;
        var owner = ProcessRunner.Run("stat", dataDirectory, null, "-c", "%U", dataDirectory).Output.Trim();
        using (var key = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                "CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllText(Path.Combine(dataDirectory, "server.crt"), certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(dataDirectory, "server.key"), key.ExportPkcs8PrivateKeyPem());
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(dataDirectory, "server.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (owner != Environment.UserName)
        {
            var chown = ProcessRunner.Run("chown", dataDirectory, null, owner, "server.crt", "server.key");
            Assert.True(chown.ExitCode == 0, chown.ToString());
        }
        var admin = _database.Cluster.ConnectionString();
        DatabaseFixture.Execute(admin, "ALTER SYSTEM SET ssl = on;\nSELECT pg_reload_conf();\n");
        try
        {
            _project.WritePair("000002_tls_seen", "CREATE TABLE tls_seen AS SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid();\n", "DROP TABLE tls_seen;\n");
            _project.Variables["MIGRATION_CONNECTION_STRING"] = new NpgsqlConnectionStringBuilder(_db) { SslMode = SslMode.Require }.ConnectionString;
            var result = _project.MSBuild("-t:MigrateUp");
            Assert.True(result.ExitCode == 0, result.ToString());
            var row = DatabaseFixture.Rows(_db, "SELECT ssl, version FROM tls_seen").Single();
            Assert.True((bool)row[0]);
            Assert.StartsWith("TLS", (string)row[1]);
        }
        finally
        {
            DatabaseFixture.Execute(admin, "ALTER SYSTEM RESET ssl;\nSELECT pg_reload_conf();\n");
        }
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public void A_connection_string_split_by_MSBuild_at_its_semicolons_is_named_and_the_quoted_form_works()
    {
        var builder = new NpgsqlConnectionStringBuilder(WithPassword(_db));
        var plain = $"Host={builder.Host};Port={builder.Port};Database={builder.Database};Username={builder.Username};Password={Secret}";

        // As typed in a shell: MSBuild cuts the value at ';' and the rest become properties of their own.
        var split = _project.MSBuild("-t:MigrateUp", "-p:MigrationConnectionString=" + plain);
        Assert.NotEqual(0, split.ExitCode);
        var error = split.Single("MIG012");
        Assert.Contains("cut at its first ';' by MSBuild", error.Message);
        Assert.Contains("Database, Password, Port, Username became properties of their own", error.Message);
        Assert.DoesNotContain(split.Diagnostics, d => d.Code == "MIG201");
        Assert.DoesNotContain(Secret, split.Output);

        // The documented forms keep the ';': double quotes that reach MSBuild, or %3B.
        var quoted = _project.MSBuild("-t:MigrateUp", $"-p:MigrationConnectionString=\"{plain}\"");
        Assert.True(quoted.ExitCode == 0, quoted.ToString());
        Assert.Contains("Applied 000001_create_users", quoted.Output);
        var escaped = _project.MSBuild("-t:MigrateStatus", "-p:MigrationConnectionString=" + plain.Replace(";", "%3B"));
        Assert.True(escaped.ExitCode == 0, escaped.ToString());
        Assert.DoesNotContain(Secret, quoted.Output + escaped.Output);
    }

    [Fact]
    public void A_misspelled_key_is_named_with_the_keyword_it_resembles()
    {
        _project.Variables["MIGRATION_CONNECTION_STRING"] = _db + ";Usernme=deploy";
        var result = _project.MSBuild("-t:MigrateUp");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("'usernme' is not a connection string keyword (did you mean 'Username'?)", result.Single("MIG012").Message);
    }

    [Fact]
    public void Status_as_JSON_alone_on_stdout_for_scripts()
    {
        _project.Variables["MIGRATION_CONNECTION_STRING"] = _db;
        _project.WritePair("000002_create_projects", "CREATE TABLE projects (id int);\n", "DROP TABLE projects;\n");
        Assert.Equal(0, _project.MSBuild("-t:MigrateUp", "-p:MigrationTarget=1").ExitCode);

        var result = _project.MSBuild("-t:MigrateStatus", "-getProperty:MigrationStatusJson");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(1, json.RootElement.GetProperty("currentVersion").GetInt64());
        Assert.Equal(2, json.RootElement.GetProperty("pending")[0].GetProperty("version").GetInt64());
    }
}
