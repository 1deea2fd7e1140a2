namespace Code4me.Lsp.Storage.Postgres.Studies;

/// <summary>A study (migration 0013): its name, description, period [<paramref name="StartsAt"/>, <paramref name="EndsAt"/>) and how many take part.</summary>
internal sealed record Study(string Name, string Description, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, DateTimeOffset CreatedAt, long Participants);
