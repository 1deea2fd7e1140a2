using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Code4me.Lsp.Protocol;
using StreamJsonRpc;

namespace Code4me.Lsp.Rpc;

/// <summary>
/// The one JSON configuration of the protocol: a source-generated context (AOT-friendly), used by the
/// server and by every test client.
/// </summary>
internal static class LspJson
{
    /// <summary>Options for our wire types: nullable annotations respected, unknown LSP fields tolerated.</summary>
    public static JsonSerializerOptions Options { get; } = new(LspJsonContext.Default.Options);

    /// <summary>A new formatter (StreamJsonRpc wants one per connection) over the source-generated context.</summary>
    /// <remarks>
    /// StreamJsonRpc marks this formatter's one constructor as needing reflection, for every use; its NativeAOT guidance
    /// (docs/nativeAOT.md: SystemTextJsonFormatter with the application's <see cref="JsonSerializerContext"/> as the
    /// resolver, methods added as delegates, no proxies, no marshalled objects) is what the server follows, and the whole
    /// test suite runs against the Native AOT binary to hold it to that.
    /// </remarks>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Used as StreamJsonRpc's NativeAOT guidance says: every type from LspJsonContext, no proxies or marshalling; the suite runs on the AOT binary.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Used as StreamJsonRpc's NativeAOT guidance says: every type from LspJsonContext, no proxies or marshalling; the suite runs on the AOT binary.")]
    public static SystemTextJsonFormatter CreateFormatter() => new()
    {
        // Our wire types and the few of StreamJsonRpc's own it reads (the RequestId of $/cancelRequest, error data) come
        // from the source-generated context, nothing from reflection: a type missing from it fails loudly in every test.
        JsonSerializerOptions = new JsonSerializerOptions(LspJsonContext.Default.Options),
    };

    public static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>
    /// The protocol's one-time initialisation — StreamJsonRpc's static state, the formatter's encoders, the metadata of
    /// every wire type — on a thread-pool thread. Started while the host is still being built (the other core is idle
    /// then), it takes ~45 ms off the way to the first <c>initialize</c> response. Everything it touches is thread-safe
    /// and initialised once, whoever comes first.
    /// </summary>
    public static Task WarmUpAsync() => Task.Run(static () =>
    {
        RuntimeHelpers.RunClassConstructor(typeof(JsonRpc).TypeHandle);
        _ = CreateFormatter();
        foreach (var property in typeof(LspJsonContext).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(JsonTypeInfo<>))
            {
                Options.GetTypeInfo(property.PropertyType.GetGenericArguments()[0]);
            }
        }
    });
}

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonElement?))]
[JsonSerializable(typeof(RequestId))]
[JsonSerializable(typeof(StreamJsonRpc.Protocol.CommonErrorData))]
[JsonSerializable(typeof(InitializeParams))]
[JsonSerializable(typeof(InitializeResult))]
[JsonSerializable(typeof(SetTraceParams))]
[JsonSerializable(typeof(LogTraceParams))]
[JsonSerializable(typeof(DidOpenTextDocumentParams))]
[JsonSerializable(typeof(DidChangeTextDocumentParams))]
[JsonSerializable(typeof(DidCloseTextDocumentParams))]
[JsonSerializable(typeof(LogMessageParams))]
[JsonSerializable(typeof(ShowMessageParams))]
[JsonSerializable(typeof(DidChangeConfigurationParams))]
[JsonSerializable(typeof(ExecuteCommandParams))]
[JsonSerializable(typeof(NoParams))]
[JsonSerializable(typeof(DocumentStateParams))]
[JsonSerializable(typeof(DocumentState))]
[JsonSerializable(typeof(InlineCompletionParams))]
[JsonSerializable(typeof(InlineCompletionList))]
[JsonSerializable(typeof(AcceptCompletionArguments))]
[JsonSerializable(typeof(DidShowCompletionParams))]
[JsonSerializable(typeof(DidPartiallyAcceptCompletionParams))]
[JsonSerializable(typeof(CompletionRejectedParams))]
[JsonSerializable(typeof(QueryStateParams))]
[JsonSerializable(typeof(QueryState))]
[JsonSerializable(typeof(WorkDoneProgressCreateParams))]
[JsonSerializable(typeof(ProgressParams))]
[JsonSerializable(typeof(ChatParams))]
[JsonSerializable(typeof(ChatResult))]
[JsonSerializable(typeof(ChatProgressParams))]
[JsonSerializable(typeof(ChatsParams))]
[JsonSerializable(typeof(ChatList))]
[JsonSerializable(typeof(ChatHistoryParams))]
[JsonSerializable(typeof(ChatHistory))]
[JsonSerializable(typeof(RenameChatParams))]
[JsonSerializable(typeof(DeleteChatParams))]
[JsonSerializable(typeof(ChatFeedbackParams))]
[JsonSerializable(typeof(ConfigurationParams))]
[JsonSerializable(typeof(StatusParams))]
internal sealed partial class LspJsonContext : JsonSerializerContext;
