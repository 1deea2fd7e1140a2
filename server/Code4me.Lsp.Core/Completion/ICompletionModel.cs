namespace Code4me.Lsp.Core.Completion;

/// <summary>A backend that answers one completion request.</summary>
public interface ICompletionModel
{
    /// <summary>Configured name.</summary>
    string Name { get; }

    /// <summary>
    /// Produces the raw completion. Failures come back as a <see cref="RawGeneration"/> with an error;
    /// only <see cref="OperationCanceledException"/> for <paramref name="cancellationToken"/> escapes.
    /// </summary>
    Task<RawGeneration> GenerateAsync(ModelRequest request, CancellationToken cancellationToken);
}
