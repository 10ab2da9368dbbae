using Migrations.Build.Engine.Database;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>A connection string that does not parse says what is wrong, naming a key but never a value.</summary>
public sealed class ConnectionSettingsTests
{
    [Theory]
    [InlineData("Host=db;Usernme=deploy", "'usernme' is not a connection string keyword (did you mean 'Username'?)")]
    [InlineData("Host=db;Databse=app", "'databse' is not a connection string keyword (did you mean 'Database'?)")]
    [InlineData("Host=db;Frobnicate=1", "'frobnicate' is not a connection string keyword;")]
    [InlineData("Host=db;Port=abc", "the value of 'port' is not valid for it")]
    [InlineData("Host=db;Password=se;cret=yes", "the password seems to contain an unquoted ';'")]
    public void An_invalid_connection_string_names_what_is_wrong(string value, string expected)
    {
        var error = Assert.Throws<ConnectionSettingsException>(() => ConnectionSettings.Parse(value, "test"));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("cret", error.Message);
        Assert.DoesNotContain("abc", error.Message);
    }

    [Fact]
    public void Keywords_are_Npgsql_s_in_any_spelling_it_accepts()
    {
        Assert.True(ConnectionSettings.IsKeyword("Port"));
        Assert.True(ConnectionSettings.IsKeyword("user id"));
        Assert.True(ConnectionSettings.IsKeyword("SSL Mode"));
        Assert.False(ConnectionSettings.IsKeyword("Configuration"));
    }
}
