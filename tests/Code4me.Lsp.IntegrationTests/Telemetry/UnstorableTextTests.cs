using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary>
/// Text PostgreSQL cannot store (U+0000, refused in <c>text</c> and <c>jsonb</c> with 22021/22P05) in every field an editor
/// sends that reaches the database: the query is stored anyway, with U+FFFD where the NUL was. It used to be skipped as
/// "can never be stored", and everything that referred to it failed after it.
/// </summary>
public sealed class UnstorableTextTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DirectoryInfo _spool = Directory.CreateTempSubdirectory("code4me-nul-spool-");

    [Fact]
    public async Task Nul_InPromptUriLanguageSelectionAndClientVersion_QueryIsStoredWithReplacementCharacters()
    {
        Guid queryId;
        await using (var server = ServerProcess.Start(
            "--config", $"Code4me:Telemetry:Spool:Directory={_spool.FullName}",
            "--config", $"Code4me:Database:ConnectionString={fixture.Database.ConnectionString}",
            "--config", "Code4me:Telemetry:Consent:Enabled=true",
            "--config", "Code4me:Telemetry:Consent:StoreContext=true",
            "--config", "Code4me:Telemetry:Consent:StoreContextual=true",
            "--config", "Code4me:Telemetry:Consent:StoreBehavioral=true"))
        {
            var raw = server.Connection;
            await raw.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { }, clientInfo = new { name = "nul-test", version = "1.0\0rc" } });
            await raw.ReadResultAsync(1);
            await raw.NotifyAsync(LspMethods.Initialized, new { });
            const string Uri = "file:///w/a%00b.py";
            await raw.NotifyAsync(LspMethods.TextDocumentDidOpen, new
            {
                textDocument = new { uri = Uri, languageId = "py\0thon", version = 1, text = "# a\0b\nx = np.loadtxt(path)\ny = np.loadtxt(" },
            });
            await raw.RequestAsync(2, LspMethods.TextDocumentInlineCompletion, new
            {
                textDocument = new { uri = Uri },
                position = new { line = 2, character = 15 },
                context = new
                {
                    triggerKind = 1,
                    selectedCompletionInfo = new { range = new { start = new { line = 2, character = 15 }, end = new { line = 2, character = 15 } }, text = "pa\0th" },
                },
            });
            var item = (await raw.ReadResultAsync(2)).GetProperty("items")[0];
            var arguments = item.GetProperty("command").GetProperty("arguments");
            queryId = arguments[0].GetProperty("queryId").GetGuid();
            await raw.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item });
            await raw.RequestAsync(3, LspMethods.WorkspaceExecuteCommand, new { command = "code4me.acceptCompletion", arguments });
            await raw.ReadResultAsync(3);

            using var timeout = new CancellationTokenSource(TestTimeout.Value);
            while (await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM had_generation WHERE was_accepted AND meta_query_id = @Id", new { Id = queryId }) == 0)
            {
                await Task.Delay(20, timeout.Token);
            }

            await raw.RequestAsync(4, LspMethods.Shutdown, null);
            await raw.ReadResultAsync(4);
            await raw.NotifyAsync(LspMethods.Exit, null);
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.DoesNotContain("can never be stored", server.Stderr, StringComparison.Ordinal);
        }

        var row = Assert.Single(await fixture.Database.QueryAsync<(string Prefix, string FileName, string SelectedText, string Language, string Version, string FilePath)>(
            """
            SELECT c.prefix, c.file_name, c.selected_text, l.language_name, v.version_name, t.file_path
            FROM meta_query m JOIN context c USING (context_id) JOIN contextual_telemetry t USING (contextual_telemetry_id)
                 JOIN programming_language l USING (language_id) JOIN plugin_version v USING (version_id)
            WHERE m.meta_query_id = @Id
            """, new { Id = queryId }));
        Assert.StartsWith("# a\uFFFDb\n", row.Prefix, StringComparison.Ordinal);
        Assert.Equal("pa\uFFFDth", row.SelectedText);
        Assert.Equal("py\uFFFDthon", row.Language);
        Assert.Equal("1.0\uFFFDrc", row.Version);
        Assert.Contains("a\uFFFDb.py", row.FilePath, StringComparison.Ordinal);
        Assert.Contains("a\uFFFDb.py", row.FileName, StringComparison.Ordinal);
    }

    public void Dispose() => _spool.Delete(recursive: true);
}
