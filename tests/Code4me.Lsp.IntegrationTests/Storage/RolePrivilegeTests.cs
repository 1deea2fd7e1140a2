using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Dapper;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Storage;

/// <summary>What code4me_writer and code4me_analyst may and may not do, connected as members of them.</summary>
public sealed class RolePrivilegeTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    private const string InsertContextSql = """
        INSERT INTO context (context_id, prefix) VALUES (@Id, 'secret code') ON CONFLICT DO NOTHING
        """;

    [Fact]
    public async Task Writer_InsertsTelemetryIdempotently_ButCannotReadIt()
    {
        await using var writer = await (await fixture.Database.ConnectAsMemberOfAsync("code4me_writer")).OpenConnectionAsync(TimeoutToken.Create());
        var id = Guid.CreateVersion7();

        var first = await writer.ExecuteAsync(InsertContextSql, new { Id = id });
        var replay = await writer.ExecuteAsync(InsertContextSql, new { Id = id });
        var select = await Assert.ThrowsAsync<PostgresException>(() => writer.QueryAsync("SELECT prefix FROM context"));

        Assert.Equal(1, first);
        Assert.Equal(0, replay);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, select.SqlState);
    }

    [Theory]
    [InlineData("INSERT INTO context (context_id) VALUES (gen_random_uuid()) ON CONFLICT (context_id) DO NOTHING")] // a conflict target needs SELECT
    [InlineData("SELECT * FROM meta_query")]
    [InlineData("SELECT email FROM \"user\"")]
    [InlineData("SELECT * FROM audit_log")]
    [InlineData("UPDATE session SET end_time = now()")]
    [InlineData("DELETE FROM context")]
    [InlineData("INSERT INTO trigger_type (trigger_type_name) VALUES ('sneaky')")]
    [InlineData("INSERT INTO \"user\" (email, name, password) VALUES ('w@example.org', 'w', '$argon2id$v=19$x')")]
    public async Task Writer_AnythingButInsertingTelemetry_IsDenied(string sql)
    {
        await using var writer = await (await fixture.Database.ConnectAsMemberOfAsync("code4me_writer")).OpenConnectionAsync(TimeoutToken.Create());

        var error = await Assert.ThrowsAsync<PostgresException>(() => writer.ExecuteAsync(sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task Writer_ReferenceData_ReadsSeededRowsAndCreatesNewOnes()
    {
        var references = new ReferenceData(await fixture.Database.ConnectAsMemberOfAsync("code4me_writer"));
        var token = TimeoutToken.Create();

        var python = await references.GetLanguageIdAsync("python", token);
        var newLanguage = await references.GetLanguageIdAsync("writer-lang", token);
        var newLanguageAgain = await references.GetLanguageIdAsync("writer-lang", token);
        var idle = await references.GetTriggerTypeIdAsync("idle", token);
        var model = await references.GetModelIdAsync("writer-model", isInstructionTuned: true, token);
        var plugin = await references.GetPluginVersionIdAsync("1.2.3", "vscode", null, token);
        var unknownTrigger = await Assert.ThrowsAsync<ArgumentException>(() => references.GetTriggerTypeIdAsync("typed", token).AsTask());

        Assert.Equal(await fixture.Database.ScalarAsync<long>("SELECT language_id FROM programming_language WHERE language_name = 'python'"), python);
        Assert.Equal(await fixture.Database.ScalarAsync<long>("SELECT language_id FROM programming_language WHERE language_name = 'writer-lang'"), newLanguage);
        Assert.Equal(newLanguage, newLanguageAgain);
        Assert.Equal(await fixture.Database.ScalarAsync<long>("SELECT trigger_type_id FROM trigger_type WHERE trigger_type_name = 'idle'"), idle);
        Assert.True(await fixture.Database.ScalarAsync<bool>("SELECT is_instruction_tuned FROM model_name WHERE model_id = @Model", new { Model = model }));
        Assert.Equal("vscode", await fixture.Database.ScalarAsync<string>("SELECT ide_type FROM plugin_version WHERE version_id = @Plugin", new { Plugin = plugin }));
        Assert.Contains("manual, auto and idle", unknownTrigger.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReferenceData_ManyCallersCreateTheSameName_AllGetOneId()
    {
        var dataSource = await fixture.Database.ConnectAsMemberOfAsync("code4me_writer");

        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => new ReferenceData(dataSource).GetModelIdAsync("raced-model", false, TimeoutToken.Create()).AsTask())));

        Assert.Single(ids.Distinct());
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM model_name WHERE model_name = 'raced-model'"));
    }

    [Fact]
    public async Task Writer_BatchInsert_WritesEveryRowOnceEvenWhenReplayed()
    {
        await using var writer = await (await fixture.Database.ConnectAsMemberOfAsync("code4me_writer")).OpenConnectionAsync(TimeoutToken.Create());
        BehavioralTelemetryRow[] rows =
        [
            new(Guid.CreateVersion7(), 1500, 42_000, 3.25),
            new(Guid.CreateVersion7(), null, null, null),
            new(Guid.CreateVersion7(), 0, 7, 0.1),
        ];

        var first = await BehavioralTelemetryTable.InsertAsync(writer, rows, transaction: null, TimeoutToken.Create());
        var replay = await BehavioralTelemetryTable.InsertAsync(writer, [rows[1], rows[2], rows[0]], transaction: null, TimeoutToken.Create());

        await using var owner = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        var stored = (await owner.QueryAsync<BehavioralTelemetryRow>(
            """
            SELECT behavioral_telemetry_id AS Id, time_since_last_shown AS TimeSinceLastShownMs,
                   time_since_last_accepted AS TimeSinceLastAcceptedMs, typing_speed AS TypingSpeed
            FROM behavioral_telemetry WHERE behavioral_telemetry_id = ANY(@Ids)
            """,
            new { Ids = rows.Select(r => r.Id).ToArray() })).ToList();
        Assert.Equal(3, first);
        Assert.Equal(0, replay);
        Assert.Equal(rows.OrderBy(r => r.Id), stored.OrderBy(r => r.Id));
    }

    [Fact]
    public async Task Writer_SecurityDefinerFunctions_EndASessionAndResolveATokenOnly()
    {
        var sessionId = Guid.CreateVersion7();
        var token = Guid.NewGuid();
        await fixture.Database.ExecuteAsync(
            """
            INSERT INTO "user" (user_id, email, name, password, auth_token)
            VALUES (@User, 'fn@example.org', 'Fn', '$argon2id$v=19$x', @Token);
            INSERT INTO session (session_id, start_time) VALUES (@Session, now() - interval '1 minute');
            """,
            new { User = Guid.CreateVersion7(), Token = token, Session = sessionId });
        await using var writer = await (await fixture.Database.ConnectAsMemberOfAsync("code4me_writer")).OpenConnectionAsync(TimeoutToken.Create());

        var ended = await writer.ExecuteScalarAsync<bool?>("SELECT session_end(@Session, now())", new { Session = sessionId });
        var endedTwice = await writer.ExecuteScalarAsync<bool?>("SELECT session_end(@Session, now())", new { Session = sessionId });
        var userId = await writer.ExecuteScalarAsync<Guid?>("SELECT user_id_for_auth_token(@Token)", new { Token = token });
        var nobody = await writer.ExecuteScalarAsync<Guid?>("SELECT user_id_for_auth_token(@Token)", new { Token = Guid.NewGuid() });

        Assert.True(ended);
        Assert.Null(endedTwice);
        Assert.Equal(await fixture.Database.ScalarAsync<Guid>("SELECT user_id FROM \"user\" WHERE auth_token = @Token", new { Token = token }), userId);
        Assert.Null(nobody);
    }

    [Fact]
    public async Task Analyst_ReadsEverythingButSecrets_AndWritesNothing()
    {
        var contextId = Guid.CreateVersion7();
        await fixture.Database.ExecuteAsync(InsertContextSql, new { Id = contextId });
        await fixture.Database.ExecuteAsync(
            "INSERT INTO \"user\" (email, name, password) VALUES ('analysed@example.org', 'A', '$argon2id$v=19$x')");
        await using var analyst = await (await fixture.Database.ConnectAsMemberOfAsync("code4me_analyst")).OpenConnectionAsync(TimeoutToken.Create());

        var prefix = await analyst.ExecuteScalarAsync<string>("SELECT prefix FROM context WHERE context_id = @Id", new { Id = contextId });
        var name = await analyst.ExecuteScalarAsync<string>("SELECT name FROM \"user\" WHERE email = 'analysed@example.org'");
        var password = await Assert.ThrowsAsync<PostgresException>(() => analyst.QueryAsync("SELECT password FROM \"user\""));
        var authToken = await Assert.ThrowsAsync<PostgresException>(() => analyst.QueryAsync("SELECT auth_token FROM \"user\""));
        var insert = await Assert.ThrowsAsync<PostgresException>(() => analyst.ExecuteAsync(InsertContextSql, new { Id = Guid.NewGuid() }));
        var delete = await Assert.ThrowsAsync<PostgresException>(() => analyst.ExecuteAsync("DELETE FROM audit_log"));
        var function = await Assert.ThrowsAsync<PostgresException>(() => analyst.ExecuteAsync("SELECT session_end(gen_random_uuid(), now())"));

        Assert.Equal("secret code", prefix);
        Assert.Equal("A", name);
        Assert.All([password, authToken, insert, delete, function], e => Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState));
    }
}
