using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Storage.Spool;

/// <summary>An event as it sits in the spool. <see cref="Sequence"/> increases by one per record, across restarts.</summary>
public sealed record SpooledRecord(long Sequence, TelemetryEvent Event);
