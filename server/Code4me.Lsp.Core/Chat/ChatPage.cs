namespace Code4me.Lsp.Core.Chat;

/// <summary>One page of a user's chats, newest first; <paramref name="NextPage"/> is null on the last page.</summary>
public sealed record ChatPage(IReadOnlyList<ChatRecord> Chats, int? NextPage);
