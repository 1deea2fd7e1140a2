namespace Code4me.Lsp.Storage.Postgres.Analysis;

/// <summary>
/// What the analysis views keep (the settings <c>analysis.since|until|model|language</c> of migration 0010 and
/// <c>analysis.participant</c> of 0012, <c>analysis.study</c> of 0013); null keeps everything.
/// </summary>
/// <param name="Since">Queries at or after this instant.</param>
/// <param name="Until">Queries before this instant.</param>
/// <param name="Model">Only this model's answers and replies, and the queries it answered.</param>
/// <param name="Language">Only queries in this language id.</param>
/// <param name="Participant">Only this participant's queries and replies: a user id, or an anonymous installation id.</param>
/// <param name="Study">Only the queries and replies of this study's participants within its period (intersected with since and until).</param>
internal sealed record AnalysisFilter(
    DateTimeOffset? Since = null, DateTimeOffset? Until = null, string? Model = null, string? Language = null, Guid? Participant = null, string? Study = null)
{
    public bool IsEmpty => this == new AnalysisFilter();
}
