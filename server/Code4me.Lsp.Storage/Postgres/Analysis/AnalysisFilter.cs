namespace Code4me.Lsp.Storage.Postgres.Analysis;

/// <summary>
/// What the analysis views keep (migration 0010's settings <c>analysis.since|until|model|language</c>); null keeps everything.
/// </summary>
/// <param name="Since">Queries at or after this instant.</param>
/// <param name="Until">Queries before this instant.</param>
/// <param name="Model">Only this model's answers and replies, and the queries it answered.</param>
/// <param name="Language">Only queries in this language id.</param>
internal sealed record AnalysisFilter(DateTimeOffset? Since = null, DateTimeOffset? Until = null, string? Model = null, string? Language = null)
{
    public bool IsEmpty => this == new AnalysisFilter();
}
