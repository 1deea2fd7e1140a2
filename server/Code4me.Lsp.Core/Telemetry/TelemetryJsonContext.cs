using System.Text.Json.Serialization;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Source-generated JSON for <see cref="TelemetryEvent"/> (the spool's record format). Unknown members are an
/// error on read: a field that the reader does not know is never silently dropped.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(TelemetryEvent))]
public sealed partial class TelemetryJsonContext : JsonSerializerContext;
