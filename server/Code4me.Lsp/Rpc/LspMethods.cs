namespace Code4me.Lsp.Rpc;

/// <summary>Every method name the server knows, standard and <c>code4me/*</c>.</summary>
internal static class LspMethods
{
    public const string Initialize = "initialize";
    public const string Initialized = "initialized";
    public const string Shutdown = "shutdown";
    public const string Exit = "exit";
    public const string SetTrace = "$/setTrace";
    public const string LogTrace = "$/logTrace";
    public const string CancelRequest = "$/cancelRequest";
    public const string Progress = "$/progress";

    public const string TextDocumentDidOpen = "textDocument/didOpen";
    public const string TextDocumentDidChange = "textDocument/didChange";
    public const string TextDocumentDidClose = "textDocument/didClose";
    public const string TextDocumentInlineCompletion = "textDocument/inlineCompletion";

    public const string WorkspaceDidChangeConfiguration = "workspace/didChangeConfiguration";
    public const string WorkspaceExecuteCommand = "workspace/executeCommand";
    public const string WorkspaceConfiguration = "workspace/configuration";

    public const string WindowLogMessage = "window/logMessage";
    public const string WindowShowMessage = "window/showMessage";
    public const string WindowWorkDoneProgressCreate = "window/workDoneProgress/create";

    public const string TextDocumentDidShowCompletion = "textDocument/didShowCompletion";
    public const string TextDocumentDidPartiallyAcceptCompletion = "textDocument/didPartiallyAcceptCompletion";

    public const string Code4meDocumentState = "code4me/documentState";
    public const string Code4meCompletionRejected = "code4me/completionRejected";
    public const string Code4meQueryState = "code4me/queryState";
    public const string Code4meChat = "code4me/chat";
    public const string Code4meChats = "code4me/chats";
    public const string Code4meChatHistory = "code4me/chatHistory";
    public const string Code4meRenameChat = "code4me/renameChat";
    public const string Code4meDeleteChat = "code4me/deleteChat";
    public const string Code4meChatFeedback = "code4me/chatFeedback";
    public const string Code4meStatus = "code4me/status";
}
