namespace Code4me.Lsp.Storage.Postgres.Analysis;

/// <summary>A column of an analysis view.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type">PostgreSQL's name of its type (<c>format_type</c>), e.g. <c>bigint</c>, <c>text[]</c>, <c>timestamp with time zone</c>.</param>
/// <param name="Comment">Its COMMENT: the definition.</param>
/// <param name="IsText">It holds code or chat text (<see cref="AnalysisDataset.TextColumns"/>).</param>
/// <param name="IsIdentity">It identifies a person, installation or session (<see cref="AnalysisDataset.IdentityColumns"/>).</param>
internal sealed record DatasetColumn(string Name, string Type, string Comment, bool IsText, bool IsIdentity);
