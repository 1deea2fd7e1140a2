using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

public sealed class ContextualTelemetryBuilderTests
{
    private static readonly ClientIdentity s_client = new("Neovim", "1.2.3");

    [Fact]
    public void Build_CaretInSecondLine_EveryField()
    {
        var id = Guid.CreateVersion7();
        var document = new TextDocument("file:///work/proj/src/a%20b.py", "python", 3, Rope.FromString("ab\r\ncd\n"));

        var t = ContextualTelemetryBuilder.Build(id, document, 5, CompletionTrigger.Auto, s_client);

        Assert.Equal(id, t.ContextualTelemetryId);
        Assert.Equal("1.2.3", t.PluginVersion);
        Assert.Equal("Neovim", t.Ide);
        Assert.Equal(CompletionTrigger.Auto, t.Trigger);
        Assert.Equal("python", t.Language);
        Assert.Equal("/work/proj/src/a b.py", t.FilePath);
        Assert.Equal(1, t.CaretLine);
        Assert.Equal(7, t.DocumentCharLength);
        Assert.Equal(5.0 / 7.0, t.RelativeDocumentPosition);
    }

    [Theory]
    [InlineData("", 0, 0.0)]
    [InlineData("abcd", 0, 0.0)]
    [InlineData("abcd", 1, 0.25)]
    [InlineData("abcd", 4, 1.0)]
    public void RelativeDocumentPosition_IsOffsetOverLengthAndZeroWhenEmpty(string text, int offset, double expected)
    {
        var document = new TextDocument("untitled:Untitled-1", "plaintext", 1, Rope.FromString(text));
        var t = ContextualTelemetryBuilder.Build(Guid.CreateVersion7(), document, offset, CompletionTrigger.Manual, s_client);
        Assert.Equal(expected, t.RelativeDocumentPosition);
        Assert.Equal("untitled:Untitled-1", t.FilePath);
    }

    [Fact]
    public void Build_OffsetPastTheEnd_Throws()
    {
        var document = new TextDocument("file:///a", "c", 1, Rope.FromString("ab"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContextualTelemetryBuilder.Build(Guid.Empty, document, 3, CompletionTrigger.Manual, s_client));
    }

    [Theory]
    [InlineData("Visual Studio Code", "1.99.0", null, "Visual Studio Code", "1.99.0")]
    [InlineData("Visual Studio Code", "1.99.0", "code4me-vscode 2.1.0", "Visual Studio Code", "code4me-vscode 2.1.0")]
    [InlineData(null, null, null, "unknown", "unknown")]
    public void ClientIdentity_From_PrefersTheConfiguredPluginVersion(string? name, string? version, string? plugin, string ide, string expectedVersion)
    {
        var session = new Core.Session.EditorSession();
        session.Initialize(name, version, [], null, DateTimeOffset.UnixEpoch);
        Assert.Equal(new ClientIdentity(ide, expectedVersion), ClientIdentity.From(session, plugin));
    }
}
