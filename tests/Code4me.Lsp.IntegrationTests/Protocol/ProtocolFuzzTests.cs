using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Protocol;

/// <summary>
/// Seeded fuzzing of the published executable over stdio: batches of random bytes, broken and truncated headers, cut
/// bodies, wrong param types, bad positions, bad Unicode, unsolicited responses and oversized frames, mixed with valid
/// traffic. After every batch the server must answer a valid request correctly, every request with a usable id must
/// have been answered exactly once (and nothing else with an id), and every byte on stdout must be a valid frame
/// (<see cref="RawLspConnection"/> reads strictly). Bounded by count; no sleeps, no timing.
/// </summary>
public sealed class ProtocolFuzzTests(ITestOutputHelper output)
{
    private const int Batches = 8;
    private const int MessagesPerBatch = 30;
    private const int MaxMessageBytes = 64 * 1024;
    private const string Sentinel = "file:///fuzz/sentinel.py";
    private const string SentinelText = "def sentinel(x):\n    return x * 2\n";
    private const string Target = "file:///fuzz/target.py";

    private static readonly string[] s_requestMethods =
    [
        LspMethods.Code4meDocumentState, LspMethods.TextDocumentInlineCompletion, LspMethods.Code4meQueryState,
        "workspace/executeCommand", "code4me/chats", "textDocument/noSuchMethod", LspMethods.TextDocumentDidChange,
    ];

    private static readonly string[] s_notificationMethods =
    [
        LspMethods.TextDocumentDidChange, LspMethods.TextDocumentDidOpen, "$/cancelRequest", "$/setTrace",
        "textDocument/didShowCompletion", "code4me/completionRejected", "$/noSuchNotification",
    ];

    private static readonly string[] s_wrongParams =
    [
        "42", "true", "\"str\"", "[1,2,3]", "[]", "[{}]", "{}", "null",
        "{\"textDocument\":42}",
        "{\"textDocument\":{\"uri\":42}}",
        "{\"textDocument\":{\"uri\":\"" + Target + "\"},\"position\":\"x\"}",
        "{\"textDocument\":{\"uri\":\"" + Target + "\"},\"position\":{\"line\":\"1\",\"character\":null}}",
        "{\"textDocument\":{\"uri\":\"" + Target + "\",\"version\":\"9\"},\"contentChanges\":{}}",
        "{\"textDocument\":{\"uri\":\"" + Target + "\"},\"position\":{\"line\":0,\"character\":0},\"context\":{\"triggerKind\":99}}",
        "{\"queryId\":\"not-a-uuid\"}",
        "{\"command\":7,\"arguments\":{}}",
        "{\"id\":{\"nested\":[1,2]}}",
        "{\"value\":[\"verbose\"]}",
        "{\"item\":\"x\"}",
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task RandomBadInput_InSeededBatches_ServerKeepsServingAndStdoutStaysValid(int seed)
    {
        var random = new Random(seed);
        await using var server = ServerProcess.Start("--config", $"Code4me:Limits:MaxMessageBytes={MaxMessageBytes}");
        var raw = server.Connection;
        var inbox = Channel.CreateUnbounded<JsonElement>();
        var pump = PumpAsync(raw, inbox.Writer);
        var fuzz = new Fuzz(random);

        await raw.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { } });
        await NextResponseAsync(inbox.Reader, 1);
        await raw.NotifyAsync(LspMethods.Initialized, new { });
        await raw.NotifyAsync(LspMethods.TextDocumentDidOpen, new { textDocument = new { uri = Sentinel, languageId = "python", version = 1, text = SentinelText } });
        await raw.NotifyAsync(LspMethods.TextDocumentDidOpen, new { textDocument = new { uri = Target, languageId = "python", version = 1, text = "import os\nx = os.path.join(\n" } });

        var answered = new HashSet<string>(StringComparer.Ordinal);
        for (var batch = 0; batch < Batches; batch++)
        {
            for (var i = 0; i < MessagesPerBatch; i++)
            {
                await raw.WriteBytesAsync(fuzz.Next());
            }

            // A valid request after the batch is answered, and correctly.
            var syncId = 1_000_000 + batch;
            await raw.RequestAsync(syncId, LspMethods.Code4meDocumentState, new { textDocument = new { uri = Sentinel } });
            JsonElement state;
            while (true)
            {
                JsonElement response;
                try
                {
                    response = await NextResponseAsync(inbox.Reader, null);
                }
                catch (OperationCanceledException)
                {
                    output.WriteLine(server.Stderr);
                    throw new InvalidOperationException($"seed {seed}, batch {batch}: the sync request was not answered");
                }

                var id = IdOf(response);
                if (id == syncId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    state = response.GetProperty("result");
                    break;
                }

                Record(response, fuzz, answered, $"seed {seed}, batch {batch}");
            }

            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SentinelText))), state.GetProperty("sha256").GetString());
            Assert.Equal(1, state.GetProperty("version").GetInt32());

            // Every request with a usable id is answered (some, like completions, after the sync request).
            try
            {
                while (!fuzz.MustAnswer.IsSubsetOf(answered))
                {
                    Record(await NextResponseAsync(inbox.Reader, null), fuzz, answered, $"seed {seed}, batch {batch}");
                }
            }
            catch (OperationCanceledException)
            {
                output.WriteLine(server.Stderr);
                Assert.Fail($"seed {seed}, batch {batch}: never answered: {string.Join(", ", fuzz.MustAnswer.Except(answered).Select(id => $"{id} ({fuzz.Frames[id]})"))}");
            }
        }

        await raw.RequestAsync(2, LspMethods.Shutdown, null);
        while (true)
        {
            var response = await NextResponseAsync(inbox.Reader, null);
            if (IdOf(response) == "2")
            {
                Assert.Equal(JsonValueKind.Null, response.GetProperty("result").ValueKind);
                break;
            }

            Record(response, fuzz, answered, $"seed {seed}, shutdown");
        }

        await raw.NotifyAsync(LspMethods.Exit, null);
        Assert.Equal(0, await server.WaitForExitAsync());
        await pump;
    }

    [Fact]
    public async Task TruncatedFrameAtTheEndOfInput_EndsTheSessionCleanly()
    {
        await using var server = ServerProcess.Start();
        var raw = server.Connection;
        await raw.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { } });
        await raw.ReadResultAsync(1);
        await raw.WriteRawAsync("Content-Length: 1000\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":2,");
        server.Process.StandardInput.Close();

        while (await raw.ReadMessageAsync() is not null)
        {
        }

        Assert.Equal(1, await server.WaitForExitAsync());
        Assert.Contains("Input ended inside a message", server.Stderr, StringComparison.Ordinal);
    }

    private static void Record(JsonElement response, Fuzz fuzz, HashSet<string> answered, string where)
    {
        var id = IdOf(response);
        if (id is null)
        {
            return;
        }

        Assert.True(fuzz.MayAnswer.Contains(id), $"{where}: a response for id {id}, which the server should not have answered: {response}");
        Assert.True(answered.Add(id), $"{where}: id {id} answered twice");
    }

    private static string? IdOf(JsonElement response) =>
        response.TryGetProperty("id", out var id) && id.ValueKind != JsonValueKind.Null
            ? id.ValueKind == JsonValueKind.String ? "s:" + id.GetString() : id.GetRawText()
            : null;

    private static async Task<JsonElement> NextResponseAsync(ChannelReader<JsonElement> inbox, int? id)
    {
        while (true)
        {
            var message = await inbox.ReadAsync(TestTimeout.Token());
            if (message.TryGetProperty("method", out _))
            {
                continue;
            }

            if (id is null || (message.TryGetProperty("id", out var actual) && actual.ValueKind == JsonValueKind.Number && actual.GetInt32() == id))
            {
                return message;
            }
        }
    }

    /// <summary>Reads stdout continuously (so the server never blocks writing), strictly, until it ends.</summary>
    private static Task PumpAsync(RawLspConnection raw, ChannelWriter<JsonElement> inbox) => Task.Run(async () =>
    {
        try
        {
            while (await raw.ReadMessageAsync(CancellationToken.None) is { } message)
            {
                inbox.TryWrite(message);
            }

            inbox.TryComplete();
        }
        catch (Exception e)
        {
            inbox.TryComplete(e);
            throw;
        }
    });

    /// <summary>The generator: each call returns the bytes of one fuzz item and notes which ids must (or may) be answered.</summary>
    private sealed class Fuzz(Random random)
    {
        private int _nextId = 100_000;
        private int _version = 1;

        /// <summary>Ids the server must answer (textual: numbers as written, strings prefixed "s:").</summary>
        public HashSet<string> MustAnswer { get; } = new(StringComparer.Ordinal);

        /// <summary>Ids the server may answer (a superset of <see cref="MustAnswer"/>).</summary>
        public HashSet<string> MayAnswer { get; } = new(StringComparer.Ordinal);

        /// <summary>For a failure message: the start of the frame that carried each id that must be answered.</summary>
        public Dictionary<string, string> Frames { get; } = new(StringComparer.Ordinal);

        public byte[] Next()
        {
            var before = new HashSet<string>(MustAnswer, StringComparer.Ordinal);
            var frame = Generate();
            foreach (var id in MustAnswer.Except(before))
            {
                var text = Encoding.UTF8.GetString(frame);
                Frames[id] = text[..Math.Min(text.Length, 300)];
            }

            return frame;
        }

        private byte[] Generate() => random.Next(10) switch
        {
            0 => RandomBytes(),
            1 => BrokenHeader(),
            2 => Truncated(),
            3 => WrongParamTypes(),
            4 => BadPositions(),
            5 => BadUnicode(),
            6 => Unsolicited(),
            7 => Oversized(),
            8 => MalformedEnvelope(),
            _ => Valid(),
        };

        private static byte[] Frame(byte[] body) => [.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body];

        private static byte[] Frame(string body) => Frame(Encoding.UTF8.GetBytes(body));

        private string NewId(bool mustAnswer, bool mayAnswer = true)
        {
            var id = _nextId++;
            var text = random.Next(4) == 0 ? $"\"r{id}\"" : id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var key = text[0] == '"' ? "s:" + text[1..^1] : text;
            if (mustAnswer)
            {
                MustAnswer.Add(key);
            }

            if (mustAnswer || mayAnswer)
            {
                MayAnswer.Add(key);
            }

            return text;
        }

        private string Pick(string[] items) => items[random.Next(items.Length)];

        private byte[] RandomBytes()
        {
            var bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);
            return bytes;
        }

        private byte[] BrokenHeader() => random.Next(9) switch
        {
            0 => Encoding.ASCII.GetBytes("Content-Length: abc\r\n\r\n"),
            1 => Encoding.ASCII.GetBytes("Content-Length: -5\r\n\r\n"),
            2 => Encoding.ASCII.GetBytes("Content-Length 12\r\n\r\n"),
            3 => Encoding.ASCII.GetBytes("Content-Lngth: 5\r\n\r\nhello"),
            4 => Encoding.ASCII.GetBytes("Content-Length: 99999999999999999999\r\n\r\n"),
            5 => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("X-Padding: y\r\n", 1000))),
            6 => Encoding.ASCII.GetBytes(":\r\n\r\n"),
            7 => Encoding.ASCII.GetBytes("Content-Len"),
            _ => Encoding.ASCII.GetBytes("Content-Length: 4"),
        };

        private byte[] Truncated()
        {
            // A body cut short inside its JSON, framed with the length of what is left.
            var body = Encoding.UTF8.GetBytes($$$$"""{"jsonrpc":"2.0","id":{{{{_nextId++}}}},"method":"{{{{Pick(s_requestMethods)}}}}","params":{"textDocument":{"uri":"{{{{Target}}}}"}}}""");
            return Frame(body[..random.Next(1, body.Length - 1)]);
        }

        private byte[] WrongParamTypes()
        {
            var parameters = Pick(s_wrongParams);
            return random.Next(2) == 0
                ? Frame($$$$"""{"jsonrpc":"2.0","id":{{{{NewId(mustAnswer: true)}}}},"method":"{{{{Pick(s_requestMethods)}}}}","params":{{{{parameters}}}}}""")
                : Frame($$$$"""{"jsonrpc":"2.0","method":"{{{{Pick(s_notificationMethods)}}}}","params":{{{{parameters}}}}}""");
        }

        private byte[] BadPositions()
        {
            int Coordinate() => random.Next(4) switch
            {
                0 => -random.Next(1, 5),
                1 => random.Next(0, 4),
                2 => int.MaxValue - random.Next(3),
                _ => random.Next(0, 1000),
            };

            if (random.Next(2) == 0)
            {
                // Versions mostly go up; sometimes one is stale.
                var version = random.Next(5) == 0 ? _version - random.Next(0, 2) : ++_version;
                var change = $$$$"""{"range":{"start":{"line":{{{{Coordinate()}}}},"character":{{{{Coordinate()}}}}},"end":{"line":{{{{Coordinate()}}}},"character":{{{{Coordinate()}}}}}},"text":"z"}""";
                return Frame($$$$"""{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"{{{{Target}}}}","version":{{version}}},"contentChanges":[{{{{change}}}}]}}""");
            }

            return Frame($$$$"""{"jsonrpc":"2.0","id":{{{{NewId(mustAnswer: true)}}}},"method":"textDocument/inlineCompletion","params":{"textDocument":{"uri":"{{{{Target}}}}"},"position":{"line":{{{{Coordinate()}}}},"character":{{{{Coordinate()}}}}},"context":{"triggerKind":1}}}""");
        }

        private byte[] BadUnicode()
        {
            switch (random.Next(6))
            {
                case 0:
                    return Frame($$$$"""{"jsonrpc":"2.0","id":{{{{NewId(mustAnswer: true)}}}},"method":"code4me/documentState","params":{"textDocument":{"uri":"file:///fuzz/\uD800.py"}}}""");
                case 1:
                    return Frame($$$$"""{"jsonrpc":"2.0","id":{{{{NewId(mustAnswer: true)}}}},"method":"code4me/\uDFFFstate","params":{}}""");
                case 2:
                    return Frame("""{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///fuzz/u.py","languageId":"python","version":1,"text":"a\uD800b"}}}""");
                case 3:
                {
                    // Raw invalid UTF-8 inside a string: not valid JSON text, so the id may go unanswered (ParseError, id null).
                    var head = Encoding.UTF8.GetBytes($$$$"""{"jsonrpc":"2.0","id":{{{{NewId(mustAnswer: false)}}}},"method":"code4me/documentState","params":{"textDocument":{"uri":"file:///fuzz/""");
                    return Frame([.. head, 0xC3, 0x28, 0xFF, 0xC0, 0xAF, .. """.py"}}}"""u8]);
                }

                case 4:
                    return Frame([0xEF, 0xBB, 0xBF, .. """{"jsonrpc":"2.0","method":"$/noSuchNotification"}"""u8]);
                default:
                {
                    var text = random.Next(2) == 0 ? "\\u0000\\u001f\\uFFFF\\uFEFF" : "😀é\\r\\n\\u2028";
                    return Frame($$$$"""{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"{{{{Target}}}}","version":{{++_version}}},"contentChanges":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"text":"{{{{text}}}}"}]}}""");
                }
            }
        }

        private byte[] Unsolicited()
        {
            // Ids in a range the generator never sends as requests: none of them may be answered.
            var id = 900_000 + random.Next(1000);
            return random.Next(6) switch
            {
                0 => Frame($$$$"""{"jsonrpc":"2.0","id":{{{{id}}}},"result":{"x":1}}"""),
                1 => Frame($$$$"""{"jsonrpc":"2.0","id":{{{{id}}}},"error":{"code":-32601,"message":"no"}}"""),
                2 => Frame("""{"id":null,"result":null}"""),
                3 => Frame($$$$"""{"jsonrpc":"2.0","id":{{{{id}}}},"result":1,"error":{"code":1,"message":"both"}}"""),
                4 => Frame($$$$"""{"jsonrpc":"2.0","id":"u{{{{id}}}}","result":null}"""),
                _ => Frame($$$$"""{"jsonrpc":"2.0","id":{{{{id}}}},"error":{"code":"x"}}"""),
            };
        }

        private byte[] Oversized()
        {
            var padding = new string('p', MaxMessageBytes + random.Next(1, 3 * MaxMessageBytes));
            return random.Next(3) switch
            {
                0 => Frame($$$$"""{"jsonrpc":"2.0","id":{{{{NewId(mustAnswer: true)}}}},"method":"code4me/documentState","params":{"pad":"{{{{padding}}}}"}}"""),
                1 => Frame($$$$"""{"params":{"pad":"{{{{padding}}}}"},"jsonrpc":"2.0","id":{{{{NewId(mustAnswer: false, mayAnswer: false)}}}},"method":"code4me/documentState"}"""),
                _ => Frame(padding),
            };
        }

        private byte[] MalformedEnvelope() => random.Next(6) switch
        {
            0 => Frame($$$$"""{"jsonrpc":"2.0","id":{{{{NewId(mustAnswer: true)}}}},"method":null}"""),
            1 => Frame($$$$"""{"jsonrpc":"1.0","id":{{{{NewId(mustAnswer: true)}}}},"method":"code4me/documentState","params":{}}"""),
            2 => Frame($$$$"""{"jsonrpc":"2.0","id":{{{{NewId(mustAnswer: true)}}}},"method":"code4me/documentState","params":"str"}"""),
            3 => Frame("""{"jsonrpc":"2.0","id":true,"method":"code4me/documentState"}"""),
            4 => Frame("""[{"jsonrpc":"2.0","id":5,"method":"code4me/documentState"}]"""),
            _ => Frame($$$$"""{"jsonrpc":"2.0","id":{{{{NewId(mustAnswer: true)}}}}}"""),
        };

        private byte[] Valid() => random.Next(3) switch
        {
            0 => Frame($$$$"""{"jsonrpc":"2.0","id":{{{{NewId(mustAnswer: true)}}}},"method":"code4me/documentState","params":{"textDocument":{"uri":"{{{{Target}}}}"}}}"""),
            1 => Frame($$$$"""{"jsonrpc":"2.0","id":{{{{NewId(mustAnswer: true)}}}},"method":"textDocument/inlineCompletion","params":{"textDocument":{"uri":"{{{{Target}}}}"},"position":{"line":1,"character":17},"context":{"triggerKind":1}}}"""),
            _ => Frame($$$$"""{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"{{{{Target}}}}","version":{{++_version}}},"contentChanges":[{"range":{"start":{"line":1,"character":0},"end":{"line":1,"character":0}},"text":"y"}]}}"""),
        };
    }
}
