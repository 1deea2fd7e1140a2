using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Code4me.Lsp.Rpc;
using StreamJsonRpc.Protocol;

namespace Code4me.Lsp.Tests.Rpc;

/// <summary>The top-level check of each message and the frame reader, without a process or a server.</summary>
public sealed class JsonRpcEnvelopeTests
{
    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"m","params":{}}""", "Request", "1")]
    [InlineData("""{"jsonrpc":"2.0","id":"a","method":"m"}""", "Request", "a")]
    [InlineData("""{"jsonrpc":"2.0","method":"m","params":[null]}""", "Notification", null)]
    [InlineData("""{"jsonrpc":"2.0","id":7,"result":null}""", "Response", "7")]
    [InlineData("""{"id":null,"result":null}""", "Response", null)]
    [InlineData("""{"jsonrpc":"2.0","id":3,"method":null}""", "Invalid", "3")]
    [InlineData("""{"jsonrpc":"1.0","id":3,"method":"m"}""", "Invalid", "3")]
    [InlineData("""{"jsonrpc":"2.0","id":3,"method":"m","params":"s"}""", "Invalid", "3")]
    [InlineData("""{"jsonrpc":"2.0","id":1.5,"method":"m"}""", "Invalid", null)]
    [InlineData("""{"jsonrpc":"2.0","id":true,"method":"m"}""", "Invalid", null)]
    [InlineData("""[1]""", "Invalid", null)]
    public void Read_ClassifiesTheMessage(string body, string kind, string? id)
    {
        var envelope = JsonRpcEnvelope.Read(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body)));
        Assert.Equal(kind, envelope.Kind.ToString());
        Assert.Equal(id, envelope.Id.IsEmpty || envelope.Id.IsNull ? null : envelope.Id.Number?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? envelope.Id.String);
    }

    [Fact]
    public void Read_PositionalParamsOfSeveralValues_AreInvalidParams()
    {
        var envelope = JsonRpcEnvelope.Read(new ReadOnlySequence<byte>("""{"jsonrpc":"2.0","id":2,"method":"shutdown","params":[1,2]}"""u8.ToArray()));
        Assert.Equal(JsonRpcErrorCode.InvalidParams, envelope.ErrorCode);
        Assert.Equal("Invalid params: shutdown takes one params object, not an array of 2 values.", envelope.ErrorMessage);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"m",}""")]
    [InlineData("""{"jsonrpc":"2.0"} trailing""")]
    [InlineData("")]
    public void Read_NotJson_Throws(string body) =>
        Assert.ThrowsAny<JsonException>(() => JsonRpcEnvelope.Read(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body))));

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":9,"method":"m","params":{"text":"xxxx""", true)]
    [InlineData("""{"params":{"text":"xxxx""", false)]
    [InlineData("""{"jsonrpc":"2.0","id":9,"result":{"x":"y""", false)]
    public void SniffRequestId_FindsAnIdAndMethodBeforeTheParams(string prefix, bool found)
    {
        var sniffed = JsonRpcEnvelope.SniffRequestId(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(prefix)));
        Assert.Equal(found, sniffed is not null);
        if (found)
        {
            Assert.Equal(9, sniffed!.Id.Number);
            Assert.Equal("m", sniffed.Method);
        }
    }

    [Fact]
    public async Task FrameReader_SkipsABrokenHeader_DiscardsAnOversizedBody_AndReadsTheNextFrame()
    {
        var input = Encoding.ASCII.GetBytes(
            "Content-Length: abc\r\n\r\n" +
            "Content-Length: 5000\r\n\r\n" + new string('x', 5000) +
            "Content-Length: 2\r\n\r\n{}");
        var frames = new LspFrameReader(PipeReader.Create(new MemoryStream(input)), () => 4096);

        var broken = await frames.ReadAsync(CancellationToken.None);
        Assert.Equal(LspFrameKind.BrokenHeader, broken.Kind);
        Assert.True(broken.Resumed);

        var oversized = await frames.ReadAsync(CancellationToken.None);
        Assert.Equal(LspFrameKind.Oversized, oversized.Kind);
        Assert.Equal(5000, oversized.Length);
        Assert.True(await frames.DiscardAsync(oversized.Length, CancellationToken.None));

        var message = await frames.ReadAsync(CancellationToken.None);
        Assert.Equal(LspFrameKind.Message, message.Kind);
        Assert.Equal("{}", Encoding.ASCII.GetString(message.Body.ToArray()));
        frames.Release();

        Assert.Equal(LspFrameKind.EndOfInput, (await frames.ReadAsync(CancellationToken.None)).Kind);
    }
}
