using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Analysis;

/// <summary>
/// A small study written through the real telemetry writer and chat store, as code4me_writer: two anonymous
/// installations, <see cref="Queries"/> completion queries over two UTC days in python and lua, each answered by
/// <see cref="ModelA"/> and <see cref="ModelB"/>, with a known pattern of shown, accepted, partially accepted, rejected,
/// no outcome, ground truth (after rejections: the rejected answer, nothing, the same start, something else) and retention;
/// typing speeds from 0 to 5.25 characters per second, times since the last shown and accepted suggestion from under a second to
/// minutes (or never); and one chat of three replies, one marked a mistake.
/// </summary>
internal static class StudySeed
{
    public const int Queries = 24;
    public const string ModelA = "study-model-a";
    public const string ModelB = "study-model-b";
    public const string ChatModel = "study-chat-model";
    public static readonly DateTimeOffset Day1 = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    public static async Task WriteAsync(TestDatabase database, CancellationToken cancellationToken)
    {
        var writerRole = await database.ConnectAsMemberOfAsync("code4me_writer");
        foreach (var (writer, records) in Installations(writerRole))
        {
            await writer.WriteAsync(records, cancellationToken);
        }

        await WriteChatAsync(writerRole, cancellationToken);
    }

    /// <summary>
    /// The two installations' telemetry, each with the writer that writes it (as code4me_writer, through
    /// <paramref name="writerRole"/>) and its records in spool order: a session, then every query's events.
    /// </summary>
    public static IReadOnlyList<(PostgresTelemetryWriter Writer, IReadOnlyList<SpooledRecord> Records)> Installations(NpgsqlDataSource writerRole)
    {
        List<(PostgresTelemetryWriter, IReadOnlyList<SpooledRecord>)> installations = [];
        for (var installation = 0; installation < 2; installation++)
        {
            var installationId = Guid.CreateVersion7(Day1);
            var writer = new PostgresTelemetryWriter(
                writerRole, new ReferenceData(writerRole), Options.Create(new Code4meStorageOptions()), NullLogger<PostgresTelemetryWriter>.Instance)
            {
                Machine = "study-machine",
                InstallationId = installationId,
            };
            var sessionId = Guid.CreateVersion7(Day1);
            List<TelemetryEvent> events = [new SessionStartedEvent(Guid.CreateVersion7(), Day1, sessionId, "Neovim", "0.11.0", ["/home/study/app"], installationId)];
            for (var i = installation; i < Queries; i += 2)
            {
                events.AddRange(Query(i, sessionId));
            }

            installations.Add((writer, [.. events.Select((e, n) => new SpooledRecord(n + 1, e))]));
        }

        return installations;
    }

    private static async Task WriteChatAsync(NpgsqlDataSource writerRole, CancellationToken cancellationToken)
    {
        using var chats = ChatStores.NewPostgresChatStore(writerRole, authToken: null);
        var chat = new ChatRecord(Guid.CreateVersion7(), "study chat", Day1, "http://127.0.0.1:1", ChatModel, "be brief", 4096);
        await chats.CreateChatAsync(chat, cancellationToken);
        Guid? mistake = null;
        for (var n = 0; n < 3; n++)
        {
            var queryId = Guid.CreateVersion7();
            mistake ??= queryId;
            await chats.AddExchangeAsync(
                new ChatExchange(queryId, chat.ChatId, Day1.AddMinutes(30 + n), $"question {n}", $"answer {n}", ChatModel,
                    n == 2 ? ChatOutcome.Cancelled : ChatOutcome.Completed, 200 + (100 * n), 40 + n, 10 + n, false, 0.25m * (n + 1), 0, false, "a.py", null,
                    LanguageId: "python"),
                cancellationToken);
        }

        await chats.SetFeedbackAsync(chat.ChatId, mistake!.Value, isMistake: true, "wrong", cancellationToken);
    }

    /// <summary>The events of query <paramref name="i"/>: the pattern every test recomputes independently from the base tables.</summary>
    private static IEnumerable<TelemetryEvent> Query(int i, Guid sessionId)
    {
        var at = Day1.AddDays(i / 12).AddMinutes(i);
        var queryId = Guid.CreateVersion7(at);
        var completionA = $"value_{i} = {i}";
        var completionB = i % 2 == 0 ? completionA : $"other_{i}()\nreturn";
        var shownA = i % 4 != 3;
        var shownB = i % 5 == 0;
        var trigger = (CompletionTrigger)(i % 3);
        yield return new CompletionQueryEvent(
            Guid.CreateVersion7(at), at, queryId, sessionId, "/home/study/app",
            i % 7 == 6 ? null : new ContextRecord(Guid.CreateVersion7(at), "x = ", "\n", "a.py", null),
            new ContextualTelemetry(Guid.CreateVersion7(at), "0.11.0", "Neovim", trigger, i % 3 == 0 ? "lua" : "python", "/home/study/app/a.py", 1, 40, 0.5),
            new BehavioralTelemetry(Guid.CreateVersion7(at), i == 0 ? null : 700L * i * i, i % 3 == 0 ? null : 20_000L * i, 0.75 * (i % 8)),
            [
                new GenerationRecord(ModelA, completionA, 50 + (10 * i), ((i % 10) + 0.5) / 10, [-0.1], [], false, 10, 3),
                new GenerationRecord(ModelB, completionB, 300 + i, 0.35, [-1.0], [], false),
            ],
            400 + i,
            "study");
        if (shownA)
        {
            yield return new ShownEvent(Guid.CreateVersion7(at), at.AddSeconds(1), queryId, ModelA);
        }

        if (shownB)
        {
            yield return new ShownEvent(Guid.CreateVersion7(at), at.AddSeconds(i % 10 == 0 ? 0.5 : 2), queryId, ModelB);
        }

        if (shownA)
        {
            switch (i % 3)
            {
                case 0:
                    yield return new AcceptedEvent(Guid.CreateVersion7(at), at.AddSeconds(3), queryId, ModelA);
                    yield return new RetentionEvent(Guid.CreateVersion7(at), at.AddSeconds(18), queryId, ModelA, 15, completionA.Length, completionA.Length);
                    yield return new RetentionEvent(Guid.CreateVersion7(at), at.AddSeconds(33), queryId, ModelA, 30, completionA.Length, i % 2 == 0 ? 2 : completionA.Length);
                    break;
                case 1:
                    yield return new RejectedEvent(Guid.CreateVersion7(at), at.AddSeconds(3), queryId, ModelA);
                    break;
                case 2 when i % 4 == 2:
                    yield return new PartialAcceptEvent(Guid.CreateVersion7(at), at.AddSeconds(3), queryId, ModelA, 3);
                    break;
                default:
                    break;   // shown, no outcome: the gap data completeness counts
            }
        }

        if (shownB && i % 3 != 0)
        {
            yield return new RejectedEvent(Guid.CreateVersion7(at), at.AddSeconds(4), queryId, ModelB);
        }

        if (i % 4 != 1)
        {
            // Mostly the answer of model A again (even i) or something else; after some rejections of A: nothing on the
            // line (i = 4), the same start (16), something else (22).
            var truth = i switch
            {
                4 => "\nnext_line()",
                16 => $"value_{i} + 1",
                22 => $"typed_{i}",
                _ => i % 2 == 0 ? completionA + "\nnext_line()" : $"typed_{i}",
            };
            yield return new GroundTruthEvent(Guid.CreateVersion7(at), at.AddSeconds(15), queryId, 15, at.AddSeconds(15), truth, "x = ", "\n");
            yield return new GroundTruthEvent(Guid.CreateVersion7(at), at.AddSeconds(45), queryId, 45, at.AddSeconds(45), "changed later", "x = ", "\n");
        }
    }
}
