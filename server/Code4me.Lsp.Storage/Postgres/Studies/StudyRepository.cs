using Npgsql;
using static Code4me.Lsp.Storage.Postgres.SqlCommands;

namespace Code4me.Lsp.Storage.Postgres.Studies;

/// <summary>
/// Studies and who takes part in them (migration 0013), for <c>code4me-lsp study</c>. Writing needs the database owner; a
/// mistake a person can fix (an unknown study or user, a name taken, a participant enrolled twice, a period that ends
/// before it starts) is an <see cref="ArgumentException"/> whose message says which, and changes nothing.
/// </summary>
internal sealed class StudyRepository(NpgsqlDataSource dataSource)
{
    /// <summary>On a command's database (<see cref="StorageDatabase"/>).</summary>
    public StudyRepository(StorageDatabase database)
        : this(database.DataSource)
    {
    }

    private const string InsertSql = """
        INSERT INTO study (name, description, starts_at, ends_at) VALUES (@Name, @Description, @StartsAt, @EndsAt)
        """;

    private const string FindSql = "SELECT study_id FROM study WHERE name = @Name";

    private const string EnrolSql = """
        INSERT INTO study_participant (study_id, user_id, installation_id, arm) VALUES (@StudyId, @UserId, @InstallationId, @Arm)
        """;

    private const string ListSql = """
        SELECT s.name, s.description, s.starts_at, s.ends_at, s.created_at,
               (SELECT count(*) FROM study_participant p WHERE p.study_id = s.study_id)
        FROM study s ORDER BY s.name
        """;

    private const string ParticipantsSql = """
        SELECT user_id, installation_id, arm, enrolled_at FROM study_participant
        WHERE study_id = @StudyId ORDER BY enrolled_at, user_id, installation_id
        """;

    /// <summary>Creates a study; a name in use, a blank name or an end before the start is refused.</summary>
    public async Task CreateAsync(string name, string description, DateTimeOffset? startsAt, DateTimeOffset? endsAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A study needs a name that is not blank.", nameof(name));
        }

        if (startsAt is { } start && endsAt is { } end && start >= end)
        {
            throw new ArgumentException($"The study would end ({end:O}) before it starts ({start:O}): --until must be after --since.", nameof(endsAt));
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(InsertSql, null, cancellationToken,
                Param("Name", name), Param("Description", description), Param("StartsAt", startsAt?.UtcDateTime), Param("EndsAt", endsAt?.UtcDateTime));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "study_name_key")
        {
            throw new ArgumentException($"A study named '{name}' already exists (`code4me-lsp study list` lists them).", nameof(name), e);
        }
    }

    /// <summary>
    /// Enrols a user (<paramref name="userId"/>, as <c>UserDataRepository.FindAsync</c> finds one) or else an anonymous
    /// installation in the study named <paramref name="study"/>, in arm <paramref name="arm"/> (none when blank).
    /// </summary>
    public async Task EnrolAsync(string study, Guid? userId, Guid? installationId, string? arm, CancellationToken cancellationToken)
    {
        var subject = userId is { } user ? $"User {user}" : installationId is { } installation ? $"Installation {installation}"
            : throw new ArgumentException("Name a participant: --user ID|EMAIL or --installation ID.", nameof(userId));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var studyId = await IdAsync(connection, null, study, cancellationToken);
        try
        {
            await connection.ExecuteAsync(EnrolSql, null, cancellationToken,
                Param("StudyId", studyId), Param("UserId", userId), Param("InstallationId", userId is null ? installationId : null),
                Param("Arm", string.IsNullOrWhiteSpace(arm) ? null : arm.Trim()));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ArgumentException($"{subject} is already enrolled in study '{study}'.", nameof(userId), e);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new ArgumentException($"{subject} no longer exists, or study '{study}' was deleted meanwhile.", nameof(userId), e);
        }
    }

    /// <summary>Every study, by name, with its number of participants.</summary>
    public async Task<IReadOnlyList<Study>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QueryAsync(ListSql, r => new Study(
            r.GetString(0), r.GetString(1), r.Get<DateTime?>(2) is { } start ? new DateTimeOffset(start) : null,
            r.Get<DateTime?>(3) is { } end ? new DateTimeOffset(end) : null, new DateTimeOffset(r.GetFieldValue<DateTime>(4)), r.GetInt64(5)), null, cancellationToken);
    }

    /// <summary>The participants of the study named <paramref name="study"/>, in the order they were enrolled.</summary>
    public async Task<IReadOnlyList<StudyParticipant>> ParticipantsAsync(string study, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var studyId = await IdAsync(connection, null, study, cancellationToken);
        return await connection.QueryAsync(ParticipantsSql, r => new StudyParticipant(
            r.Get<Guid?>(0), r.Get<Guid?>(1), r.Get<string>(2), new DateTimeOffset(r.GetFieldValue<DateTime>(3))), null, cancellationToken, Param("StudyId", studyId));
    }

    /// <summary>The id of the study named <paramref name="name"/>; an <see cref="ArgumentException"/> when there is none.</summary>
    internal static async Task<long> IdAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string name, CancellationToken cancellationToken) =>
        await connection.ScalarAsync<long?>(FindSql, transaction, cancellationToken, Param("Name", name))
            ?? throw new ArgumentException($"No study is named '{name}' (`code4me-lsp study list` lists them).", nameof(name));
}
