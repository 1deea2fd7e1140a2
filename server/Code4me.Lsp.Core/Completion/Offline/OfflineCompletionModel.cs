namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>The offline n-gram model as an <see cref="ICompletionModel"/>. Runs synchronously (well under a millisecond).</summary>
internal sealed class OfflineCompletionModel(string name, OfflineCodeModel model) : ICompletionModel
{
    public string Name { get; } = name;

    public Task<RawGeneration> GenerateAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(model.Generate(request.Context.LanguageId, request.Context.Prefix, request.MultiLine));
    }
}
