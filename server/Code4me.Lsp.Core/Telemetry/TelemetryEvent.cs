using System.Text.Json.Serialization;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// One fact for the research database. Every event and every row it becomes carries a client-generated
/// UUIDv7 (<see cref="Guid.CreateVersion7()"/>), so a replayed event inserts nothing twice.
/// Serialised with <see cref="TelemetryJsonContext"/> into the spool; <c>$type</c> names the kind.
/// </summary>
/// <param name="EventId">Identity of the event itself (the spool and the writer's idempotency key).</param>
/// <param name="OccurredAt">When it happened (UTC, from the server's <see cref="TimeProvider"/>).</param>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(SessionStartedEvent), "sessionStarted")]
[JsonDerivedType(typeof(SessionEndedEvent), "sessionEnded")]
[JsonDerivedType(typeof(CompletionQueryEvent), "completionQuery")]
[JsonDerivedType(typeof(ShownEvent), "shown")]
[JsonDerivedType(typeof(AcceptedEvent), "accepted")]
[JsonDerivedType(typeof(PartialAcceptEvent), "partialAccept")]
[JsonDerivedType(typeof(RejectedEvent), "rejected")]
[JsonDerivedType(typeof(GroundTruthEvent), "groundTruth")]
[JsonDerivedType(typeof(RetentionEvent), "retention")]
[JsonDerivedType(typeof(ConsentChangedEvent), "consentChanged")]
public abstract record TelemetryEvent(Guid EventId, DateTimeOffset OccurredAt);
