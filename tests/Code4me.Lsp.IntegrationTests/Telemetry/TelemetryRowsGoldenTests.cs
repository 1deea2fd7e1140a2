using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Code4me.Lsp.IntegrationTests.Completion;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Dapper;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary>
/// The rows a scripted editing session leaves in PostgreSQL, compared with the rows the same session left before
/// the completion path was restructured (<c>Golden/scripted-session.rows.txt</c>). Ids become labels in order of first
/// appearance, and what depends on the wall clock (timestamps, measured milliseconds, typing speed) is masked;
/// everything else (texts, models, flags, counts, confidences, log-probabilities, which row points at which) must be
/// byte for byte what it was. <c>CODE4ME_UPDATE_GOLDEN=1</c> rewrites the file after an intended change.
/// </summary>
public sealed partial class TelemetryRowsGoldenTests(DatabaseFixture fixture, ITestOutputHelper output) : IClassFixture<DatabaseFixture>
{
    /// <summary>Tables in the order they are read (ids are labelled in this order); each with the columns its rows are sorted by.</summary>
    private static readonly string[] s_tables =
    [
        "\"user\"", "project", "project_users", "session", "session_projects", "context", "contextual_telemetry", "behavioral_telemetry",
        "meta_query", "completion_query", "had_generation", "ground_truth", "generation_feedback", "completion_retention",
    ];

    /// <summary>Columns whose values are measured on the wall clock.</summary>
    private static readonly HashSet<string> s_measured = new(StringComparer.Ordinal)
    {
        "total_serving_time", "generation_time", "time_since_last_shown", "time_since_last_accepted", "typing_speed",
    };

    private const string Lib = "import numpy as np\n\ndef load(path):\n    return np.loadtxt(path, delimiter=',')\n";

    [Fact]
    public async Task ScriptedSession_TwoModelsShownRejectedAcceptedPartlyAccepted_RowsAreByteForByteWhatTheyWere()
    {
        await using var remote = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        remote.Enqueue(FakeModelServer.Reply.Json("path, delimiter=';')", [-0.25, -0.5, -0.125], usage: (120, 3)));
        remote.Enqueue(FakeModelServer.Reply.Json("x, flush=True)", [-0.75, -0.375], usage: (80, 2)));
        await using var server = InProcServer.Start(output,
        [
            .. TelemetryThroughProtocolTests.FullConsent,
            $"Code4me:Database:ConnectionString={fixture.Database.ConnectionString}",
            "Code4me:Telemetry:GroundTruthDelaysSeconds:0=3",
            "Code4me:Telemetry:RetentionDelaysSeconds:0=3",
            "Code4me:Telemetry:QueryLifetimeSeconds=6",
            "Code4me:Telemetry:GroundTruthContextChars=20",
            "Code4me:Completion:Policy=FirstToAnswer",
            "Code4me:Completion:DeadlineMs=20000",
            "Code4me:Completion:RemoteRetries=0",
            "Code4me:Completion:Models:0:Name=ngram",
            "Code4me:Completion:Models:0:Kind=Offline",
            "Code4me:Completion:Models:1:Name=remote",
            "Code4me:Completion:Models:1:Kind=OpenAi",
            $"Code4me:Completion:Models:1:Endpoint={remote.BaseAddress}",
            "Code4me:Completion:Models:1:TimeoutMs=20000",
        ]);
        await server.Client.InitializeAsync(workspaceFolders: ["/w"]);
        await server.Client.NotifyAsync(LspMethods.Initialized, new { });
        await server.Client.OpenAsync("file:///w/lib.py", Lib);
        await server.Client.OpenAsync("file:///w/main.py", "x = np.loadtxt(\nprint(x)\n");

        // Query 1, invoked: both models answer; the offline answer is shown and rejected (the user cycles on), the remote one
        // is shown and accepted, then the line is edited.
        var first = (await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 0, 15, InlineCompletionTriggerKind.Invoked)).Items;
        var rejected = first.Single(i => ModelOf(i) == "ngram");
        await server.Client.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item = rejected });
        await server.Client.NotifyAsync(LspMethods.Code4meCompletionRejected, new { item = rejected });
        var accepted = first.Single(i => ModelOf(i) == "remote");
        await server.Client.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item = accepted });
        await server.Client.ChangeAsync("file:///w/main.py", 2, LspTestClient.Edit(0, 15, 0, 15, accepted.InsertText));
        await server.Client.RequestAsync<JsonElement?>(LspMethods.WorkspaceExecuteCommand, new { command = accepted.Command!.CommandIdentifier, arguments = accepted.Command.Arguments });
        await server.Client.ChangeAsync("file:///w/main.py", 3, LspTestClient.Edit(0, 33, 0, 34, ";"));

        // Query 2, invoked on the next line: the remote answer is partly accepted (the offline model offers nothing there).
        var second = (await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 1, 6, InlineCompletionTriggerKind.Invoked)).Items;
        var partly = second.Single(i => ModelOf(i) == "remote");
        await server.Client.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item = partly });
        await server.Client.ChangeAsync("file:///w/main.py", 4, LspTestClient.Edit(1, 6, 1, 6, "x"));
        await server.Client.NotifyAsync(LspMethods.TextDocumentDidPartiallyAcceptCompletion, new { item = partly, acceptedLength = 1 });
        await server.Client.ChangeAsync("file:///w/main.py", 5, LspTestClient.Edit(1, 7, 1, 8, ", end='')"));

        // Ground truth (3 s after each query) and retention (3 s after each acceptance) reach the database.
        await WaitForRowsAsync(2, "ground_truth", "completion_retention");
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));

        var actual = await DumpAsync();
        var golden = Path.Combine(GoldenDirectory(), "scripted-session.rows.txt");
        if (Environment.GetEnvironmentVariable("CODE4ME_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(golden, actual);
        }

        Assert.Equal(await File.ReadAllTextAsync(golden), actual);
    }

    private static string ModelOf(InlineCompletionItem item) => item.Command!.Arguments![0].GetProperty("model").GetString()!;

    /// <summary>Waits until the server's writer has stored <paramref name="count"/> rows of each table.</summary>
    private async Task WaitForRowsAsync(int count, params string[] tables)
    {
        var timeout = TimeoutToken.Create();
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(timeout);
        foreach (var table in tables)
        {
            while (await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {table}", cancellationToken: timeout)) < count)
            {
                await Task.Delay(50, timeout);
            }
        }
    }

    /// <summary>
    /// Every row of <see cref="s_tables"/> as one JSON line, ids labelled and clock values masked. Generated columns (0016's
    /// split of meta_query's keys) are left out: PostgreSQL computes them from the stored columns; the writer stores nothing there.
    /// </summary>
    private async Task<string> DumpAsync()
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        var generated = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT attname::text FROM pg_attribute WHERE attgenerated <> '' AND NOT attisdropped", cancellationToken: TimeoutToken.Create()))).ToHashSet(StringComparer.Ordinal);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var dump = new StringBuilder();
        foreach (var table in s_tables)
        {
            var rows = (await connection.QueryAsync<string>(new CommandDefinition($"SELECT row_to_json(t)::text FROM {table} t", cancellationToken: TimeoutToken.Create())))
                .Select(json => Mask(json, generated))
                .OrderBy(r => r.Masked, StringComparer.Ordinal)   // by content with ids masked: an order that does not depend on the clock
                .Select(r => r.Raw)
                .ToList();
            dump.Append("## ").Append(table).Append('\n');
            foreach (var raw in rows)
            {
                dump.Append(Uuid().Replace(raw, m => labels.TryGetValue(m.Value, out var label) ? label : labels[m.Value] = $"<id{labels.Count + 1}>")).Append('\n');
            }
        }

        return dump.ToString();
    }

    /// <summary>(content with every id masked, for ordering; content with clock values masked and ids kept).</summary>
    private static (string Masked, string Raw) Mask(string json, HashSet<string> generated)
    {
        var row = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;
        var kept = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (column, value) in row.Where(c => !generated.Contains(c.Key)))
        {
            kept[column] = s_measured.Contains(column) && value.ValueKind != JsonValueKind.Null ? "<measured>" : value;
        }

        var raw = Timestamp().Replace(JsonSerializer.Serialize(kept), "<time>");
        return (Uuid().Replace(raw, "<id>"), raw);
    }

    // Not [CallerFilePath]: CI builds map source paths to /_/ (ContinuousIntegrationBuild).
    private static string GoldenDirectory() =>
        Path.Combine(Repository.Root, "tests", "Code4me.Lsp.IntegrationTests", "Telemetry", "Golden");

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Uuid();

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")]
    private static partial Regex Timestamp();
}
