namespace Code4me.Lsp.Core.Completion;

/// <summary>Which backend serves a configured model.</summary>
public enum CompletionModelKind
{
    /// <summary>The built-in n-gram model: no network, no weights.</summary>
    Offline,

    /// <summary>An OpenAI-compatible <c>/v1/completions</c> endpoint (llama.cpp, vLLM, Ollama, TGI).</summary>
    OpenAi,
}
