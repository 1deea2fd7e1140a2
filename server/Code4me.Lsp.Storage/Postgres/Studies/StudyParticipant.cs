namespace Code4me.Lsp.Storage.Postgres.Studies;

/// <summary>One enrolment: a user (<paramref name="UserId"/>) or an anonymous installation (<paramref name="InstallationId"/>), its arm, when.</summary>
internal sealed record StudyParticipant(Guid? UserId, Guid? InstallationId, string? Arm, DateTimeOffset EnrolledAt);
