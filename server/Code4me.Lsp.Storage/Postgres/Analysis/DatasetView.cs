namespace Code4me.Lsp.Storage.Postgres.Analysis;

/// <summary>An analysis view as a table of a dataset: its name, its COMMENT and its columns.</summary>
internal sealed record DatasetView(string Name, string Comment, IReadOnlyList<DatasetColumn> Columns);
