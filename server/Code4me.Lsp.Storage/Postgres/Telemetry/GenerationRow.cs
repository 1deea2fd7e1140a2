using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>
/// One <c>had_generation</c> row. <see cref="ShownAt"/> is UTC, sorted, without duplicates; both arrays go to
/// COPY as they are (binary COPY takes <c>timestamptz[]</c> and <c>double precision[]</c> per row).
/// </summary>
internal sealed record GenerationRow(Guid QueryId, long ModelId, GenerationRecord Generation, DateTime[] ShownAt, double[] Logprobs);
