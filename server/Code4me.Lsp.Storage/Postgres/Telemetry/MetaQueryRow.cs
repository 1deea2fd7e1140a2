using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>One <c>meta_query</c> (and <c>completion_query</c>) row: the query event, its project and the writer's user.</summary>
internal sealed record MetaQueryRow(CompletionQueryEvent Query, Guid ProjectId, Guid? UserId, DateTime Timestamp);
