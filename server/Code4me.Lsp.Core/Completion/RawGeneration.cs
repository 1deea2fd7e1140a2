namespace Code4me.Lsp.Core.Completion;

/// <summary>A model's answer before post-processing.</summary>
/// <param name="Text">Generated text.</param>
/// <param name="Logprobs">Natural-log probability per generated token (empty when unknown).</param>
/// <param name="Error">Failure description, or null.</param>
/// <param name="PromptTokens">Tokens of the prompt as the model counted them (the server's <c>usage</c>); null when not reported.</param>
/// <param name="CompletionTokens">Tokens the model generated, before post-processing; null when not reported.</param>
public sealed record RawGeneration(string Text, IReadOnlyList<double> Logprobs, string? Error = null, int? PromptTokens = null, int? CompletionTokens = null)
{
    /// <summary>A failed generation.</summary>
    public static RawGeneration Failed(string error) => new("", [], error);
}
