namespace Code4me.Lsp.Core.Completion;

/// <summary>A model's answer before post-processing.</summary>
/// <param name="Text">Generated text.</param>
/// <param name="Logprobs">Natural-log probability per generated token (empty when unknown).</param>
/// <param name="Error">Failure description, or null.</param>
public sealed record RawGeneration(string Text, IReadOnlyList<double> Logprobs, string? Error = null)
{
    /// <summary>A failed generation.</summary>
    public static RawGeneration Failed(string error) => new("", [], error);
}
