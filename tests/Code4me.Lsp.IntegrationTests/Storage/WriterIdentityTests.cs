using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.IntegrationTests.Telemetry;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Code4me.Lsp.IntegrationTests.Storage;

/// <summary>
/// The code4me_writer login is on every participant's machine: connected as a member of it, holding its own auth token
/// (and knowing other users' ids, which are not secret), one may write only rows of the user that token proves, or
/// anonymous ones (migration 0009). Every attempt below succeeded before 0009.
/// </summary>
public sealed class WriterIdentityTests(DatabaseFixture fixture, ITestOutputHelper output) : IClassFixture<DatabaseFixture>, IDisposable
{
    private const string Machine = "writer-identity";
    private readonly XunitLoggerProvider _logs = new(output);

    public void Dispose() => _logs.Dispose();

    public static TheoryData<string, string> ImpersonatingInserts => new()
    {
        { "session", "INSERT INTO session (session_id, user_id, start_time) VALUES (gen_random_uuid(), @Victim, now())" },
        {
            "meta_query",
            """
            INSERT INTO meta_query (meta_query_id, user_id, session_id, project_id, "timestamp", query_type)
            VALUES (gen_random_uuid(), @Victim, @Session, @Project, now(), 'completion')
            """
        },
        { "chat", "INSERT INTO chat (chat_id, project_id, user_id, title, session_id) VALUES (gen_random_uuid(), @Project, @Victim, 'planted', @Session)" },
        { "audit_log", "INSERT INTO audit_log (user_id, event_type, action, detail) VALUES (@Victim, 'consent', 'consent_changed', '{}')" },
        { "project_users", "INSERT INTO project_users (project_id, user_id) VALUES (@Project, @Victim)" },
        { "project", "INSERT INTO project (project_id, project_name, owner_user_id) VALUES (gen_random_uuid(), 'planted', @Victim)" },
        // Anonymous rows are fine, but not for a caller whose token proves a user: it cannot disown its rows either.
        { "session", "INSERT INTO session (session_id, user_id, start_time) VALUES (gen_random_uuid(), NULL, now())" },
    };

    [Theory]
    [MemberData(nameof(ImpersonatingInserts))]
    public async Task Writer_RowOfAnotherUser_IsRefused(string table, string sql)
    {
        var (me, victim) = (await UserAsync(), await UserAsync());
        var (session, project) = await SessionAndProjectAsync(me.Id);
        await using var connection = await WriterConnectionAsync();
        await using var transaction = await WriterProof.BeginAsync(connection, me.Token, null, TimeoutToken.Create());

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(new CommandDefinition(
            sql, new { Victim = sql.Contains("NULL, now()", StringComparison.Ordinal) ? (Guid?)null : victim.Id, Session = session, Project = project },
            transaction, cancellationToken: TimeoutToken.Create())));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Contains(table, error.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writer_WithoutAProofOfItsToken_MayWriteOnlyAnonymousRows()
    {
        var me = await UserAsync();
        await using var connection = await WriterConnectionAsync();

        var named = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO session (session_id, user_id, start_time) VALUES (gen_random_uuid(), @Me, now())", new { Me = me.Id }, cancellationToken: TimeoutToken.Create())));
        var anonymous = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO session (session_id, user_id, start_time) VALUES (gen_random_uuid(), NULL, now())", cancellationToken: TimeoutToken.Create()));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, named.SqlState);
        Assert.Equal(1, anonymous);
    }

    [Fact]
    public async Task Writer_CopyOfAnotherUsersQueries_IsRefused()
    {
        // The telemetry writer's path: binary COPY, which row-level security would not allow at all.
        var (me, victim) = (await UserAsync(), await UserAsync());
        var (session, project) = await SessionAndProjectAsync(me.Id);
        await using var connection = await WriterConnectionAsync();
        await using var transaction = await WriterProof.BeginAsync(connection, me.Token, null, TimeoutToken.Create());

        var error = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY meta_query (meta_query_id, user_id, session_id, project_id, \"timestamp\", query_type) FROM STDIN (FORMAT BINARY)", TimeoutToken.Create());
            foreach (var user in new[] { me.Id, victim.Id, me.Id })
            {
                await copy.StartRowAsync(TimeoutToken.Create());
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, TimeoutToken.Create());
                await copy.WriteAsync(user, NpgsqlDbType.Uuid, TimeoutToken.Create());
                await copy.WriteAsync(session, NpgsqlDbType.Uuid, TimeoutToken.Create());
                await copy.WriteAsync(project, NpgsqlDbType.Uuid, TimeoutToken.Create());
                await copy.WriteAsync(DateTime.UtcNow, NpgsqlDbType.TimestampTz, TimeoutToken.Create());
                await copy.WriteAsync("completion", NpgsqlDbType.Text, TimeoutToken.Create());
            }

            await copy.CompleteAsync(TimeoutToken.Create());
        });

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Writer_ReplyInAnotherUsersChat_IsRefused(bool signedIn)
    {
        // The victim's chat (a signed-in user's, or an anonymous one of another session); the attacker's query is its own.
        var (me, victim) = (await UserAsync(), await UserAsync());
        var (mySession, _) = await SessionAndProjectAsync(signedIn ? me.Id : null);
        var (victimSession, victimProject) = await SessionAndProjectAsync(signedIn ? victim.Id : null);
        var chat = Guid.CreateVersion7();
        await fixture.Database.ExecuteAsync(
            "INSERT INTO chat (chat_id, project_id, user_id, title, session_id) VALUES (@Chat, @Project, @User, 'theirs', @Session)",
            new { Chat = chat, Project = victimProject, User = signedIn ? victim.Id : (Guid?)null, Session = victimSession });
        await using var connection = await WriterConnectionAsync();
        await using var transaction = await WriterProof.BeginAsync(connection, signedIn ? me.Token : null, null, TimeoutToken.Create());

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO meta_query (meta_query_id, user_id, session_id, project_id, "timestamp", query_type)
                VALUES (@Query, @Me, @Session, @Project, now(), 'chat');
            INSERT INTO chat_query (meta_query_id, chat_id) VALUES (@Query, @Chat);
            """,
            new { Query = Guid.CreateVersion7(), Me = signedIn ? me.Id : (Guid?)null, Session = mySession, Project = victimProject, Chat = chat },
            transaction, cancellationToken: TimeoutToken.Create())));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Contains("chats", error.MessageText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'deletion', 'user_deleted'")]
    [InlineData("'export', 'data_exported'")]
    [InlineData("'consent', 'consent_withdrawn_by_admin'")]
    public async Task Writer_ForgedAuditEventOfItsOwnUser_IsRefused(string typeAndAction)
    {
        var me = await UserAsync();
        await using var connection = await WriterConnectionAsync();
        await using var transaction = await WriterProof.BeginAsync(connection, me.Token, null, TimeoutToken.Create());

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO audit_log (user_id, event_type, action) VALUES (@Me, {typeAndAction})", new { Me = me.Id }, transaction, cancellationToken: TimeoutToken.Create())));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task Writer_ProjectWithItsMultiFileContextInTheRow_IsDenied()
    {
        await using var connection = await WriterConnectionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO project (project_id, project_name, multi_file_contexts) VALUES (gen_random_uuid(), 'p', '{\"a.py\": \"planted\"}')",
            cancellationToken: TimeoutToken.Create())));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Writer_MultiFileContextOfAnotherUsersOrInstallationsProject_ChangesNothing(bool victimSignedIn)
    {
        // The victim's own writer made the project (its id known to the attacker, as host name and folder made it before 0009).
        var (me, victim) = (await UserAsync(), await UserAsync());
        var victimInstallation = Guid.NewGuid();
        var victimOwner = new BatchOwner(victimSignedIn ? victim.Token : null, victimSignedIn ? victim.Id : null, victimInstallation, Machine);
        var s = new SampleEvents("victim");
        await (await WriterAsync(victimOwner)).WriteAsync(SampleEvents.Records([s.Session]), TimeoutToken.Create());
        var project = ProjectIdentity.IdFor(victimOwner, s.Session.WorkspaceFolders[0]);
        var before = await ProjectContextAsync(project);

        foreach (var (token, installation) in new (Guid?, Guid?)[] { (me.Token, null), (null, Guid.NewGuid()), (null, null), (me.Token, victimInstallation) })
        {
            await using var connection = await WriterConnectionAsync();
            await using var transaction = await WriterProof.BeginAsync(connection, token, installation, TimeoutToken.Create());
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT record_multi_file_context(@Ids, ARRAY['{\"secret.py\": \"planted\"}'::jsonb], ARRAY['{\"x:1\": {\"path\": \"secret.py\", \"offset\": 0, \"deleted\": null, \"text\": \"planted\", \"at\": \"2025-01-01T00:00:00Z\"}}'::jsonb])",
                new { Ids = new[] { project } }, transaction, cancellationToken: TimeoutToken.Create()));
            await transaction.CommitAsync(TimeoutToken.Create());
        }

        Assert.Equal(("{}", "{}"), before);
        Assert.Equal(before, await ProjectContextAsync(project));
    }

    [Fact]
    public async Task Writer_EndingOrGivingFeedbackOnAnotherUsersSessionAndQuery_ChangesNothing()
    {
        var (me, victim) = (await UserAsync(), await UserAsync());
        var s = new SampleEvents("victim");
        await (await WriterAsync(new BatchOwner(victim.Token, victim.Id, null, Machine))).WriteAsync(SampleEvents.Records([s.Session, s.Query]), TimeoutToken.Create());
        var modelA = await fixture.Database.ScalarAsync<long>("SELECT model_id FROM model_name WHERE model_name = @Name", new { Name = s.ModelA });

        await using (var connection = await WriterConnectionAsync())
        {
            await using var transaction = await WriterProof.BeginAsync(connection, me.Token, null, TimeoutToken.Create());
            await connection.ExecuteAsync(new CommandDefinition(
                """
                SELECT session_end(@Session, now());
                SELECT record_generation_feedback(ARRAY[gen_random_uuid(), gen_random_uuid()], ARRAY[@Query, @Query], ARRAY[@Model, @Model],
                                                  ARRAY['shown', 'accepted'], ARRAY[now(), now()], ARRAY[NULL, NULL]::integer[]);
                """,
                new { Session = s.SessionId, Query = s.QueryId, Model = modelA }, transaction, cancellationToken: TimeoutToken.Create()));
            await transaction.CommitAsync(TimeoutToken.Create());
        }

        Assert.Null(await fixture.Database.ScalarAsync<DateTime?>("SELECT end_time FROM session WHERE session_id = @Id", new { Id = s.SessionId }));
        Assert.Equal((0, false), await SingleAsync<(int, bool)>(
            "SELECT cardinality(shown_at), was_accepted FROM had_generation WHERE meta_query_id = @Id AND model_id = @Model", new { Id = s.QueryId, Model = modelA }));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM generation_feedback WHERE meta_query_id = @Id", new { Id = s.QueryId }));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Writer_ItsOwnBatches_LandDirectlyAndStagedWithMultiFileContext(bool signedIn)
    {
        var me = await UserAsync();
        var owner = new BatchOwner(signedIn ? me.Token : null, signedIn ? me.Id : null, Guid.NewGuid(), Machine);
        var writer = await WriterAsync(owner);
        var s = new SampleEvents("own");
        var query = s.Query with
        {
            MultiFile = new MultiFileContext(
                new Dictionary<string, string> { ["lib.py"] = "abc" },
                new Dictionary<string, MultiFileContextChange> { ["k:1"] = new("lib.py", 0, null, "abc", SampleEvents.T0) },
                new Dictionary<string, IReadOnlyList<string>?> { ["lib.py"] = ["k:1"] }),
        };
        var records = SampleEvents.Records([.. s.All.Select(e => e == s.Query ? query : e)]);

        await writer.WriteAsync(records, TimeoutToken.Create());
        await writer.WriteAsync(records, TimeoutToken.Create());   // a replay: staged after the direct COPY meets stored rows

        var project = ProjectIdentity.IdFor(owner, query.ProjectFolder);
        Assert.Equal(1, writer.StagedBatchCount);
        Assert.Equal(0, writer.SkippedCount);
        Assert.Equal((owner.UserId, owner.UserId, (DateTime?)Utc(s.SessionEnded.OccurredAt)), await SingleAsync<(Guid?, Guid?, DateTime?)>(
            "SELECT s.user_id, m.user_id, s.end_time FROM meta_query m JOIN session s USING (session_id) WHERE m.meta_query_id = @Id", new { Id = s.QueryId }));
        Assert.Equal((owner.UserId, owner.InstallationId, "{\"lib.py\": \"abc\"}"), await SingleAsync<(Guid?, Guid?, string)>(
            "SELECT owner_user_id, owner_installation_id, multi_file_contexts::text FROM project WHERE project_id = @Id", new { Id = project }));
        Assert.Equal((true, 1L), await SingleAsync<(bool, long)>(
            "SELECT bool_or(was_accepted), (SELECT count(*) FROM audit_log WHERE audit_id = @Audit AND user_id IS NOT DISTINCT FROM @User) FROM had_generation WHERE meta_query_id = @Id",
            new { Id = s.QueryId, Audit = s.ConsentChanged.EventId, User = owner.UserId }));
    }

    private static DateTime Utc(DateTimeOffset value) => value.UtcDateTime;

    private async Task<(Guid Id, Guid Token)> UserAsync()
    {
        var (id, token) = (Guid.CreateVersion7(), Guid.NewGuid());
        await fixture.Database.ExecuteAsync(
            "INSERT INTO \"user\" (user_id, email, name, password, auth_token) VALUES (@Id, @Email, 'U', '$argon2id$v=19$x', @Token)",
            new { Id = id, Token = token, Email = $"{id:N}@example.org" });
        return (id, token);
    }

    /// <summary>A session and a project of <paramref name="userId"/>, made by the owner, for rows that must point somewhere.</summary>
    private async Task<(Guid Session, Guid Project)> SessionAndProjectAsync(Guid? userId)
    {
        var (session, project) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await fixture.Database.ExecuteAsync(
            """
            INSERT INTO session (session_id, user_id, start_time) VALUES (@Session, @User, now());
            INSERT INTO project (project_id, project_name, owner_user_id) VALUES (@Project, 'mine', @User);
            """,
            new { Session = session, Project = project, User = userId });
        return (session, project);
    }

    private async Task<NpgsqlConnection> WriterConnectionAsync() =>
        await (await fixture.Database.ConnectAsMemberOfAsync("code4me_writer")).OpenConnectionAsync(TimeoutToken.Create());

    private async Task<PostgresTelemetryWriter> WriterAsync(BatchOwner owner)
    {
        var dataSource = await fixture.Database.ConnectAsMemberOfAsync("code4me_writer");
        return new PostgresTelemetryWriter(
            dataSource, new ReferenceData(dataSource), Options.Create(new Code4meStorageOptions { AuthToken = owner.AuthToken }),
            new LoggerFactory([_logs]).CreateLogger<PostgresTelemetryWriter>())
        {
            Machine = owner.Machine,
            InstallationId = owner.InstallationId,
        };
    }

    private Task<(string Contexts, string Changes)> ProjectContextAsync(Guid project) => SingleAsync<(string, string)>(
        "SELECT multi_file_contexts::text, multi_file_context_changes::text FROM project WHERE project_id = @Id", new { Id = project });

    private async Task<T> SingleAsync<T>(string sql, object parameters)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        return await connection.QuerySingleAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: TimeoutToken.Create()));
    }
}
