using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>One <c>contextual_telemetry</c> row: the event's record with its reference ids resolved.</summary>
internal sealed record ContextualRow(ContextualTelemetry Telemetry, long VersionId, long TriggerTypeId, long LanguageId);
