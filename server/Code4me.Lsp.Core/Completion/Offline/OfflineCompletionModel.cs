namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>The offline n-gram model as an <see cref="ICompletionModel"/>. Runs on the thread pool (well under a millisecond).</summary>
internal sealed class OfflineCompletionModel(string name, OfflineCodeModel model) : ICompletionModel
{
    public string Name { get; } = name;

    public Task<RawGeneration> GenerateAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        // CPU-bound: off the caller's thread (the dispatch thread, which must stay free for the next message).
        return Task.Run(() => Generate(request), cancellationToken);
    }

    /// <summary>The generation, on the caller's thread.</summary>
    internal RawGeneration Generate(ModelRequest request) => model.Generate(request.Context.DocumentKey, request.Context.LanguageId, request.Context.Prefix, request.MultiLine, request.Context.PrefixOffset);
}
