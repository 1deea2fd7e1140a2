namespace Code4me.Lsp.Core.Chat;

/// <summary>One user message: to a new chat (<paramref name="ChatId"/> null) or an existing one.</summary>
public sealed record ChatRequest(Guid? ChatId, string Message, ChatCodeContext? Code, bool WebEnabled);
