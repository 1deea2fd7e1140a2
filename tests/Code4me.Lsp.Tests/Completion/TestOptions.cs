using Code4me.Lsp.Core.Completion;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Tests.Completion;

internal sealed class TestOptions(CompletionOptions value) : IOptionsMonitor<CompletionOptions>
{
    public CompletionOptions CurrentValue => value;

    public CompletionOptions Get(string? name) => value;

    public IDisposable? OnChange(Action<CompletionOptions, string?> listener) => null;
}
