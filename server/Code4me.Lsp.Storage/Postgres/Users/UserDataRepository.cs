using System.Text.Json.Nodes;
using Npgsql;
using static Code4me.Lsp.Storage.Postgres.SqlCommands;

namespace Code4me.Lsp.Storage.Postgres.Users;

/// <summary>
/// The data rights of a user: export everything stored about them, delete it (all of it, or the account while
/// keeping their queries anonymised), and purge by age. Each operation is one transaction with its
/// <c>audit_log</c> row, so a failure half-way leaves nothing changed. Needs the owner role.
/// </summary>
internal sealed class UserDataRepository(NpgsqlDataSource dataSource)
{
    /// <summary>On a command's database (<see cref="StorageDatabase"/>).</summary>
    public UserDataRepository(StorageDatabase database)
        : this(database.DataSource)
    {
    }

    private const string FindUserSql = """
        SELECT user_id FROM "user" WHERE user_id::text = @User OR lower(email) = lower(@User)
        """;

    private static readonly string ExportSql = $$"""
        SELECT jsonb_build_object(
            'user_id', @UserId::uuid,
            'user', (SELECT to_jsonb(u) - 'password' - 'auth_token' FROM "user" u WHERE u.user_id = @UserId),
            'preferences', (SELECT to_jsonb(p) FROM user_preferences p WHERE p.user_id = @UserId),
            'consent', (SELECT to_jsonb(c) FROM user_consent c WHERE c.user_id = @UserId),
            'projects', COALESCE((SELECT jsonb_agg(to_jsonb(pr) || jsonb_build_object('joined_at', pu.joined_at) ORDER BY pu.joined_at)
                                  FROM project_users pu JOIN project pr USING (project_id) WHERE pu.user_id = @UserId), '[]'),
            'sessions', COALESCE((SELECT jsonb_agg(to_jsonb(s) ORDER BY s.start_time) FROM session s WHERE s.user_id = @UserId), '[]'),
            'studies', {{StudiesJson("p.user_id = @UserId")}},
            'chats', {{ChatsJson("ch.user_id = @UserId")}},
            'queries', {{QueriesJson("m.user_id = @UserId")}},
            'audit_log', COALESCE((SELECT jsonb_agg(to_jsonb(a) ORDER BY a.occurred_at) FROM audit_log a WHERE a.user_id = @UserId), '[]')
        )::text
        """;

    private static readonly string ExportInstallationSql = $$"""
        SELECT jsonb_build_object(
            'installation_id', @InstallationId::uuid,
            'sessions', COALESCE((SELECT jsonb_agg(to_jsonb(s) ORDER BY s.start_time) FROM session s WHERE s.installation_id = @InstallationId), '[]'),
            'studies', {{StudiesJson("p.installation_id = @InstallationId")}},
            'chats', {{ChatsJson("ch.session_id IN (SELECT session_id FROM session WHERE installation_id = @InstallationId)")}},
            'queries', {{QueriesJson("m.session_id IN (SELECT session_id FROM session WHERE installation_id = @InstallationId)")}}
        )::text
        """;

    // The queries listed in the temp table "doomed" (cascading completion/chat queries, generations, ground truth),
    // then their context and telemetry rows that no remaining query uses (meta_query → them is RESTRICT).
    private static readonly string DeleteDoomedQueriesSql = DeleteDoomedQueries(Unused);

    // As before 0016, for a store at schema 10 (BeforeTimePartitions).
    private static readonly string DeleteDoomedQueriesSchema10Sql = DeleteDoomedQueries(UnusedSchema10);

    // Full deletion: the user's queries (and, through cascades, their completion/chat queries, generations and
    // ground truth), then the context/telemetry rows no other query uses, their chats and sessions, then the user
    // (cascading preferences, consent, project membership).
    private static readonly string DeleteAllSql = """
        CREATE TEMP TABLE doomed ON COMMIT DROP AS
            SELECT meta_query_id, context_id, contextual_telemetry_id, behavioral_telemetry_id FROM meta_query
            WHERE user_id = @UserId OR session_id IN (SELECT session_id FROM session WHERE user_id = @UserId);
        """ + "\n" + DeleteDoomedQueriesSql + "\n" + """
        INSERT INTO deleted_auth_token (token_sha256)
            SELECT sha256(uuid_send(auth_token)) FROM "user" WHERE user_id = @UserId AND auth_token IS NOT NULL
            ON CONFLICT DO NOTHING;
        DELETE FROM chat WHERE user_id = @UserId;
        DELETE FROM session WHERE user_id = @UserId;
        DELETE FROM "user" WHERE user_id = @UserId;
        SELECT count(*)::int FROM doomed;
        """;

    // An installation's sessions, every query made in them and every chat started in them (whoever the user was); the
    // id's hash is recorded (0018), so that what its machine still has spooled is discarded when it arrives.
    private static readonly string DeleteInstallationSql = """
        CREATE TEMP TABLE doomed ON COMMIT DROP AS
            SELECT meta_query_id, context_id, contextual_telemetry_id, behavioral_telemetry_id FROM meta_query
            WHERE session_id IN (SELECT session_id FROM session WHERE installation_id = @InstallationId);
        """ + "\n" + DeleteDoomedQueriesSql + "\n" + """
        DELETE FROM chat WHERE session_id IN (SELECT session_id FROM session WHERE installation_id = @InstallationId);
        DELETE FROM session WHERE installation_id = @InstallationId;
        DELETE FROM study_participant WHERE installation_id = @InstallationId;
        INSERT INTO deleted_installation (installation_sha256) VALUES (sha256(uuid_send(@InstallationId)))
            ON CONFLICT (installation_sha256) DO UPDATE SET deleted_at = EXCLUDED.deleted_at;
        SELECT count(*)::int FROM doomed;
        """;

    // Keep anonymised: deleting the user sets session/chat/meta_query.user_id to NULL (the schema's SET NULL).
    private const string DeleteKeepAnonymisedSql = """
        SELECT count(*)::int FROM meta_query WHERE user_id = @UserId;
        DELETE FROM "user" WHERE user_id = @UserId;
        """;

    private static readonly string PurgeSql = Purge(DeleteDoomedQueriesSql);
    private static readonly string PurgeSchema10Sql = Purge(DeleteDoomedQueriesSchema10Sql);

    // The months a purge may drop whole (0011), creating the months ahead first: a study runs purge from cron.
    private const string DroppableMonthsSql = """
        SELECT telemetry_partitions_ensure(now() + interval '2 months');
        SELECT suffix AS Suffix, lower_bound AS Lower, upper_bound AS Upper FROM telemetry_partitions_droppable(@Cutoff);
        """;

    private const string EnsurePartitionsSql = """
        SELECT telemetry_purged_drop();
        SELECT telemetry_partitions_ensure(now() + interval '2 months');
        SELECT substring(c.relname FROM '_y(\d{4}m\d{2})$') FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'meta_query'::regclass AND c.relname ~ '_y\d{4}m\d{2}$' ORDER BY 1;
        """;

    // Before the months go: their queries counted, and the context and telemetry rows they use in other months noted (a
    // context is made when its query completes, so it may fall in the next month). Such a use is in an other-month column
    // (0016), whose partial index holds only those: no read of the months' rows.
    private const string DropMonthsPreludeSql = """
        SELECT count(*)::int FROM meta_query WHERE meta_query_id >= @Lower AND meta_query_id < @Upper;
        CREATE TEMP TABLE dropped_month_uses ON COMMIT DROP AS
            SELECT 'context' AS kind, context_id_other_month AS id FROM meta_query
                WHERE context_id_other_month IS NOT NULL AND meta_query_id >= @Lower AND meta_query_id < @Upper
                  AND (context_id_other_month < @Lower OR context_id_other_month >= @Upper)
            UNION ALL SELECT 'contextual', contextual_telemetry_id_other_month FROM meta_query
                WHERE contextual_telemetry_id_other_month IS NOT NULL AND meta_query_id >= @Lower AND meta_query_id < @Upper
                  AND (contextual_telemetry_id_other_month < @Lower OR contextual_telemetry_id_other_month >= @Upper)
            UNION ALL SELECT 'behavioral', behavioral_telemetry_id_other_month FROM meta_query
                WHERE behavioral_telemetry_id_other_month IS NOT NULL AND meta_query_id >= @Lower AND meta_query_id < @Upper
                  AND (behavioral_telemetry_id_other_month < @Lower OR behavioral_telemetry_id_other_month >= @Upper);
        """;

    // DETACH of a referenced partition checks that no row references it through a key declared on a table: a join of the
    // referencing rows with the partition. Since 0014 and 0016 every key between the per-event tables is declared per month
    // (a month's referencing months are detached first, their keys with them) except meta_query's other-month keys to the
    // context tables, whose non-NULL rows are the few queries at a month's edge (their partial indexes hold nothing else), and
    // the keys of the default partitions, whose rows are few. So the join is a nested loop over those rows probing the
    // month's primary key: a hash join would read the month, and a merge join would read the month's index up to the
    // largest referencing id, which may be in a later month.
    private const string DetachPlansSql = "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL enable_seqscan = off;";
    // The months out of every per-event table, children first, into schema telemetry_purged (0014), which DropPurgedMonthsAsync empties.
    private const string DetachMonthsSql = "SELECT telemetry_partitions_detach(suffix) FROM unnest(@Suffixes::text[]) WITH ORDINALITY AS m(suffix, n) ORDER BY n;";
    // A DETACH runs no trigger: the kept fact rows (0015) would still hold the months' queries, so the views compute
    // every query from the base tables until the next refresh (report, data partitions) rebuilds them.
    private const string FactsInvalidateSql = "SELECT analysis.facts_invalidate();";
    private const string DefaultPlansSql = "SET LOCAL enable_hashjoin TO DEFAULT; SET LOCAL enable_mergejoin TO DEFAULT; SET LOCAL enable_seqscan TO DEFAULT;";

    // Once the months are gone: the rows they used in other months, unless another query uses them (as row by row).
    private static readonly string DropMonthsEpilogueSql = $"""
        DELETE FROM context c USING dropped_month_uses d WHERE d.kind = 'context' AND c.context_id = d.id
            AND {Unused("c", "context_id")};
        DELETE FROM contextual_telemetry c USING dropped_month_uses d WHERE d.kind = 'contextual' AND c.contextual_telemetry_id = d.id
            AND {Unused("c", "contextual_telemetry_id")};
        DELETE FROM behavioral_telemetry c USING dropped_month_uses d WHERE d.kind = 'behavioral' AND c.behavioral_telemetry_id = d.id
            AND {Unused("c", "behavioral_telemetry_id")};
        """;

    private const string AuditSql = """
        INSERT INTO audit_log (user_id, event_type, action, detail) VALUES (@UserId, @EventType, @Action, @Detail::jsonb)
        """;

    // The queries in "doomed", then their context and telemetry rows that no remaining query uses; unused(row, column) says
    // that no query uses the row x.column names.
    private static string DeleteDoomedQueries(Func<string, string, string> unused) => $"""
        DELETE FROM meta_query WHERE meta_query_id IN (SELECT meta_query_id FROM doomed);
        DELETE FROM context WHERE context_id IN (SELECT context_id FROM doomed)
            AND {unused("context", "context_id")};
        DELETE FROM contextual_telemetry WHERE contextual_telemetry_id IN (SELECT contextual_telemetry_id FROM doomed)
            AND {unused("contextual_telemetry", "contextual_telemetry_id")};
        DELETE FROM behavioral_telemetry WHERE behavioral_telemetry_id IN (SELECT behavioral_telemetry_id FROM doomed)
            AND {unused("behavioral_telemetry", "behavioral_telemetry_id")};
        """;

    // Since 0016 a query names a context or telemetry row in one of two columns, by whether the row is of the query's month
    // (<column>_same_month, <column>_other_month), and only those two are indexed (the keys' ON DELETE checks read them too).
    private static string Unused(string row, string column) =>
        $"NOT EXISTS (SELECT 1 FROM meta_query m WHERE m.{column}_same_month = {row}.{column}) "
        + $"AND NOT EXISTS (SELECT 1 FROM meta_query m WHERE m.{column}_other_month = {row}.{column})";

    private static string UnusedSchema10(string row, string column) => $"NOT EXISTS (SELECT 1 FROM meta_query m WHERE m.{column} = {row}.{column})";

    // Every query older than the cutoff (the rest after whole months went), and the sessions left empty.
    private static string Purge(string deleteDoomedQueries) => $"""
        CREATE TEMP TABLE doomed ON COMMIT DROP AS
            SELECT meta_query_id, context_id, contextual_telemetry_id, behavioral_telemetry_id FROM meta_query WHERE "timestamp" < @Cutoff;
        {deleteDoomedQueries}
        DELETE FROM session s WHERE coalesce(s.end_time, s.start_time) < @Cutoff
            AND NOT EXISTS (SELECT 1 FROM meta_query m WHERE m.session_id = s.session_id);
        SELECT count(*)::int FROM doomed;
        """;

    // Every study enrolment matching a condition on study_participant p (0013), with the study's name.
    private static string StudiesJson(string condition) => $$"""
        COALESCE((SELECT jsonb_agg(jsonb_build_object('study', st.name, 'arm', p.arm, 'enrolled_at', p.enrolled_at) ORDER BY p.enrolled_at)
                  FROM study_participant p JOIN study st USING (study_id) WHERE {{condition}}), '[]')
        """;

    // Every chat matching a condition on chat ch, with its context optimisations.
    private static string ChatsJson(string condition) => $$"""
        COALESCE((SELECT jsonb_agg(to_jsonb(ch) || jsonb_build_object('context_optimizations', COALESCE(
                    (SELECT jsonb_agg(to_jsonb(o) ORDER BY o.created_at) FROM chat_context_optimization o WHERE o.chat_id = ch.chat_id), '[]'))
                ORDER BY ch.created_at) FROM chat ch WHERE {{condition}}), '[]')
        """;

    // Every query matching a condition on meta_query m, with its context, telemetry, generations and ground truth; without
    // the columns PostgreSQL generates from its ids to split their keys by month (0016), which repeat them.
    private static string QueriesJson(string condition) => $$"""
        COALESCE((SELECT jsonb_agg(to_jsonb(m) - '{context_id_same_month, context_id_other_month, contextual_telemetry_id_same_month, contextual_telemetry_id_other_month, behavioral_telemetry_id_same_month, behavioral_telemetry_id_other_month}'::text[] || jsonb_build_object(
                    'context', (SELECT to_jsonb(c) FROM context c WHERE c.context_id = m.context_id),
                    'contextual_telemetry', (SELECT to_jsonb(t) FROM contextual_telemetry t WHERE t.contextual_telemetry_id = m.contextual_telemetry_id),
                    'behavioral_telemetry', (SELECT to_jsonb(b) FROM behavioral_telemetry b WHERE b.behavioral_telemetry_id = m.behavioral_telemetry_id),
                    'chat_query', (SELECT to_jsonb(cq) FROM chat_query cq WHERE cq.meta_query_id = m.meta_query_id),
                    'generations', COALESCE((SELECT jsonb_agg(to_jsonb(h) ORDER BY h.model_id) FROM had_generation h WHERE h.meta_query_id = m.meta_query_id), '[]'),
                    'ground_truth', COALESCE((SELECT jsonb_agg(to_jsonb(g) ORDER BY g.truth_timestamp) FROM ground_truth g WHERE g.completion_query_id = m.meta_query_id), '[]'))
                ORDER BY m."timestamp") FROM meta_query m WHERE {{condition}}), '[]')
        """;

    /// <summary>
    /// Whether a purge drops whole months (the default; needs schema 0011). False purges row by row only, as before 0011:
    /// the purge benchmark's baseline on a store at schema 10.
    /// </summary>
    public bool DropsMonths { get; init; } = true;

    /// <summary>
    /// The store is at schema 10, before the time partitions (the purge benchmark's baseline, with <see cref="DropsMonths"/>
    /// false): the queries that use a context or telemetry row are found by meta_query's own columns, as before 0016.
    /// </summary>
    internal bool BeforeTimePartitions { get; init; }

    /// <summary>The user named by an id or an e-mail address; <see cref="ArgumentException"/> when there is none.</summary>
    public async Task<Guid> FindAsync(string user, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ScalarAsync<Guid?>(FindUserSql, null, cancellationToken, Param("User", user.Trim()))
            ?? throw new ArgumentException($"No user has the id or e-mail address '{user}'.", nameof(user));
    }

    /// <summary>
    /// Everything stored about <paramref name="userId"/> as one JSON object (never the password hash or the auth
    /// token). For a deleted user every section is empty except the audit records of the deletion. Audited.
    /// </summary>
    public async Task<string> ExportAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var json = await connection.ScalarAsync<string>(ExportSql, transaction, cancellationToken, Param("UserId", userId));
        await AuditAsync(connection, transaction, userId, "export", "data_exported", "{}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return json!;
    }

    /// <summary>
    /// Deletes the user and all their data (and remembers the hash of their auth token, so events still spooled on
    /// their machine are discarded on arrival), or (<paramref name="keepAnonymised"/>) the user alone, their queries kept with user_id NULL.</summary>
    public async Task<int> DeleteAsync(Guid userId, bool keepAnonymised, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var queries = await connection.ScalarAsync<int>(keepAnonymised ? DeleteKeepAnonymisedSql : DeleteAllSql, transaction, cancellationToken, Param("UserId", userId));
        var detail = new JsonObject { ["queries"] = queries, ["kept_anonymised"] = keepAnonymised }.ToJsonString();
        await AuditAsync(connection, transaction, userId, "deletion", keepAnonymised ? "user_deleted_queries_anonymised" : "user_deleted_with_data", detail, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return queries;
    }

    /// <summary>
    /// Everything recorded under an anonymous installation id (<c>session.installation_id</c>): its sessions, the
    /// queries made and the chats started in them, as one JSON object. Audited (without a user; the id is in the detail).
    /// </summary>
    public async Task<string> ExportInstallationAsync(Guid installationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var json = await connection.ScalarAsync<string>(ExportInstallationSql, transaction, cancellationToken, Param("InstallationId", installationId));
        await AuditAsync(connection, transaction, null, "export", "installation_data_exported", InstallationDetail(installationId, null), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return json!;
    }

    /// <summary>Deletes an installation's sessions, every query made and every chat started in them; returns the number of queries. Audited.</summary>
    public async Task<int> DeleteInstallationAsync(Guid installationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var queries = await connection.ScalarAsync<int>(DeleteInstallationSql, transaction, cancellationToken, Param("InstallationId", installationId));
        await AuditAsync(connection, transaction, null, "deletion", "installation_deleted_with_data", InstallationDetail(installationId, queries), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return queries;
    }

    private static string InstallationDetail(Guid installationId, int? queries) => (queries is { } count
        ? new JsonObject { ["installation_id"] = installationId, ["queries"] = count }
        : new JsonObject { ["installation_id"] = installationId }).ToJsonString();

    /// <summary>
    /// Deletes every query older than <paramref name="olderThan"/> (with its rows) and the sessions left empty. The
    /// oldest months whose every query is older (<c>telemetry_partitions_droppable</c>, 0011) go whole: detached,
    /// children first, then dropped; the rest (the boundary month and the default partition) row by row. One
    /// transaction (<see cref="PurgeRowsAsync"/>), audited with the number of queries and the months dropped, then the
    /// detached months' files freed (<see cref="DropPurgedMonthsAsync"/>).
    /// </summary>
    public async Task<int> PurgeAsync(TimeSpan olderThan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!DropsMonths)
        {
            return await PurgeRowsAsync(olderThan, now, cancellationToken);
        }

        await DropPurgedMonthsAsync(cancellationToken);   // what a purge stopped half-way left
        var queries = await PurgeRowsAsync(olderThan, now, cancellationToken);
        await DropPurgedMonthsAsync(cancellationToken);
        return queries;
    }

    /// <summary>
    /// The purge's one transaction: afterwards no table holds a purged row; the months it detached wait in schema
    /// <c>telemetry_purged</c> (the owner's) for <see cref="DropPurgedMonthsAsync"/>. The partitioned tables are locked
    /// against the writer only for this transaction, not while the file system frees the months' files.
    /// </summary>
    internal async Task<int> PurgeRowsAsync(TimeSpan olderThan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var cutoff = (now - olderThan).UtcDateTime;
        var months = DropsMonths ? await DropMonthsAsync(connection, transaction, cutoff, cancellationToken) : (0, []);
        var queries = months.Queries + await connection.ScalarAsync<int>(BeforeTimePartitions ? PurgeSchema10Sql : PurgeSql, transaction, cancellationToken, Param("Cutoff", cutoff));
        var detail = new JsonObject
        {
            ["queries"] = queries, ["older_than_days"] = olderThan.TotalDays, ["months_dropped"] = new JsonArray([.. months.Suffixes.Select(m => (JsonNode?)m)]),
        }.ToJsonString();
        await AuditAsync(connection, transaction, null, "deletion", "retention_purge", detail, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return queries;
    }

    /// <summary>
    /// Drops the months a purge detached (<c>telemetry_purged_drop</c>, 0014), freeing their files, and empties the kept fact
    /// rows if a purge invalidated them (<c>analysis.facts_discard</c>, 0015: no copy of a purged row stays); returns how many
    /// tables it dropped.
    /// </summary>
    internal async Task<int> DropPurgedMonthsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var dropped = await connection.ScalarAsync<int>("SELECT telemetry_purged_drop()", null, cancellationToken);
        await connection.ExecuteAsync("SELECT analysis.facts_discard()", null, cancellationToken);
        return dropped;
    }

    /// <summary>Creates the monthly partitions of the per-event tables through two months ahead (and drops months a purge left detached); returns how many tables it created and every month there is (e.g. 2026m12).</summary>
    public async Task<(int Created, IReadOnlyList<string> Months)> EnsurePartitionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QueryMultipleAsync<(int, IReadOnlyList<string>)>(
            EnsurePartitionsSql,
            async reader =>
            {
                _ = await reader.ReadSetAsync(r => r.GetInt32(0), cancellationToken);
                var created = (await reader.ReadSetAsync(r => r.GetInt32(0), cancellationToken)).Single();
                return (created, await reader.ReadSetAsync(r => r.GetString(0), cancellationToken));
            },
            null,
            cancellationToken);
    }

    private static async Task<(int Queries, string[] Suffixes)> DropMonthsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, DateTime cutoff, CancellationToken cancellationToken)
    {
        var months = await connection.QueryMultipleAsync(
            DroppableMonthsSql,
            async reader =>
            {
                _ = await reader.ReadSetAsync(r => r.GetInt32(0), cancellationToken);
                return await reader.ReadSetAsync(r => new DroppableMonth(r.GetString(0), r.GetGuid(1), r.GetGuid(2)), cancellationToken);
            },
            transaction,
            cancellationToken,
            Param("Cutoff", cutoff));

        if (months.Count == 0)
        {
            return (0, []);
        }

        var queries = await connection.QueryMultipleAsync(
            DropMonthsPreludeSql,
            async reader => (await reader.ReadSetAsync(r => r.GetInt32(0), cancellationToken)).Single(),
            transaction,
            cancellationToken,
            Param("Lower", months[0].Lower),
            Param("Upper", months[^1].Upper));

        string[] suffixes = [.. months.Select(m => m.Suffix)];
        await DetachMonthsAsync(connection, transaction, suffixes, cancellationToken);
        await connection.ExecuteAsync(DropMonthsEpilogueSql, transaction, cancellationToken);
        return (queries, suffixes);
    }

    /// <summary>
    /// Detaches the months <paramref name="suffixes"/> (e.g. y2026m09) of every per-event table, oldest first and children
    /// first, into schema telemetry_purged, planned so that each DETACH's proof that nothing references the month probes the
    /// month's primary key for the few rows that could (<see cref="DetachPlansSql"/>) instead of reading the month; and marks
    /// the kept fact rows not valid (<see cref="FactsInvalidateSql"/>).
    /// </summary>
    internal static Task<int> DetachMonthsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string[] suffixes, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            DetachPlansSql + "\n" + DetachMonthsSql + "\n" + DefaultPlansSql + "\n" + FactsInvalidateSql, transaction, cancellationToken, Param("Suffixes", suffixes));

    private static Task<int> AuditAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid? userId, string eventType, string action, string detail, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            AuditSql, transaction, cancellationToken, Param("UserId", userId), Param("EventType", eventType), Param("Action", action), Param("Detail", detail));
}
