namespace Code4me.Lsp.Storage.Postgres.Users;

/// <summary>A monthly partition set of the per-event tables that a purge drops whole (<c>telemetry_partitions_droppable</c>, 0011).</summary>
internal sealed record DroppableMonth(string Suffix, Guid Lower, Guid Upper);
