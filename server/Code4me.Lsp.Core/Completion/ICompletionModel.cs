namespace Code4me.Lsp.Core.Completion;

/// <summary>A backend that answers one completion request.</summary>
public interface ICompletionModel
{
    /// <summary>Configured name.</summary>
    string Name { get; }

    /// <summary>
    /// Produces the raw completion. Called on the request's thread (the dispatch thread) and runs there until its first
    /// await: CPU-bound work must move itself off (<c>Task.Run</c>), I/O should start at once. Failures come back as a <see cref="RawGeneration"/> with an error;
    /// only <see cref="OperationCanceledException"/> for <paramref name="cancellationToken"/> escapes.
    /// </summary>
    Task<RawGeneration> GenerateAsync(ModelRequest request, CancellationToken cancellationToken);
}
