using System.Text.Json;
using Code4me.Lsp.Handlers.Chat;
using Code4me.Lsp.Handlers.Diagnostics;
using Code4me.Lsp.Handlers.Feedback;
using Code4me.Lsp.Handlers.InlineCompletion;
using Code4me.Lsp.Handlers.Lifecycle;
using Code4me.Lsp.Handlers.TextSync;
using Code4me.Lsp.Handlers.Workspace;
using Code4me.Lsp.Protocol;
using StreamJsonRpc;

namespace Code4me.Lsp.Rpc;

/// <summary>Every method the server serves, in one list. No assembly scanning.</summary>
internal static class LspMethodTable
{
    public static void Register(RequestGate gate, JsonRpc rpc)
    {
        // Lifecycle
        gate.AddRequest<InitializeParams, InitializeResult, InitializeHandler>(rpc, LspMethods.Initialize, MethodKind.Initialize);
        gate.AddNotification<NoParams, InitializedHandler>(rpc, LspMethods.Initialized);
        gate.AddRequest<NoParams, JsonElement?, ShutdownHandler>(rpc, LspMethods.Shutdown);
        gate.AddNotification<NoParams, ExitHandler>(rpc, LspMethods.Exit, MethodKind.Exit);
        gate.AddNotification<SetTraceParams, SetTraceHandler>(rpc, LspMethods.SetTrace);

        // Text synchronisation
        gate.AddNotification<DidOpenTextDocumentParams, DidOpenHandler>(rpc, LspMethods.TextDocumentDidOpen);
        gate.AddNotification<DidChangeTextDocumentParams, DidChangeHandler>(rpc, LspMethods.TextDocumentDidChange);
        gate.AddNotification<DidCloseTextDocumentParams, DidCloseHandler>(rpc, LspMethods.TextDocumentDidClose);

        // Inline completion
        gate.AddRequest<InlineCompletionParams, InlineCompletionList, InlineCompletionHandler>(rpc, LspMethods.TextDocumentInlineCompletion);

        // What the editor reports about suggestions
        gate.AddRequest<ExecuteCommandParams, JsonElement?, ExecuteCommandHandler>(rpc, LspMethods.WorkspaceExecuteCommand);
        gate.AddNotification<DidShowCompletionParams, DidShowCompletionHandler>(rpc, LspMethods.TextDocumentDidShowCompletion);
        gate.AddNotification<DidPartiallyAcceptCompletionParams, DidPartiallyAcceptCompletionHandler>(rpc, LspMethods.TextDocumentDidPartiallyAcceptCompletion);
        gate.AddNotification<CompletionRejectedParams, CompletionRejectedHandler>(rpc, LspMethods.Code4meCompletionRejected);

        // Diagnostics
        gate.AddRequest<QueryStateParams, QueryState, QueryStateHandler>(rpc, LspMethods.Code4meQueryState);
        gate.AddRequest<DocumentStateParams, DocumentState, DocumentStateHandler>(rpc, LspMethods.Code4meDocumentState);

        // Chat
        gate.AddRequest<ChatParams, ChatResult, ChatHandler>(rpc, LspMethods.Code4meChat);
        gate.AddRequest<ChatsParams, ChatList, ChatsHandler>(rpc, LspMethods.Code4meChats);
        gate.AddRequest<ChatHistoryParams, ChatHistory, ChatHistoryHandler>(rpc, LspMethods.Code4meChatHistory);
        gate.AddRequest<RenameChatParams, JsonElement?, RenameChatHandler>(rpc, LspMethods.Code4meRenameChat);
        gate.AddRequest<DeleteChatParams, JsonElement?, DeleteChatHandler>(rpc, LspMethods.Code4meDeleteChat);
        gate.AddRequest<ChatFeedbackParams, JsonElement?, ChatFeedbackHandler>(rpc, LspMethods.Code4meChatFeedback);

        // Workspace
        gate.AddNotification<DidChangeConfigurationParams, DidChangeConfigurationHandler>(rpc, LspMethods.WorkspaceDidChangeConfiguration);
    }

}
