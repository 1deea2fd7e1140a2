using Code4me.Lsp.Core.Completion;

namespace Code4me.Lsp.Benchmarks;

/// <summary>A model that answers at once with a fixed text: what remains is the completion service's own time.</summary>
internal sealed class InstantModel(string name) : ICompletionModel
{
    private static readonly Task<RawGeneration> s_answer = Task.FromResult(new RawGeneration("path, delimiter=',')", [-0.1]));

    public string Name => name;

    public Task<RawGeneration> GenerateAsync(ModelRequest request, CancellationToken cancellationToken) => s_answer;
}
