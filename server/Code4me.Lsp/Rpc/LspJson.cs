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
    public static SystemTextJsonFormatter CreateFormatter() => new()
    {
        JsonSerializerOptions = new JsonSerializerOptions(LspJsonContext.Default.Options)
        {
            // Our wire types come from the source-generated context. StreamJsonRpc also deserializes a few
            // types of its own (the RequestId of $/cancelRequest, error data); without a resolver for those,
            // it silently drops cancellations. They fall back to reflection.
            TypeInfoResolver = JsonTypeInfoResolver.Combine(LspJsonContext.Default, new DefaultJsonTypeInfoResolver()),
        },
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
