using Microsoft.Extensions.AI;

namespace Code4me.Lsp.Core.Chat;

/// <summary>Makes the <see cref="IChatClient"/> for the current settings (the settings can change while the server runs).</summary>
public interface IChatClientFactory
{
    IChatClient Create(ChatOptions options);
}
