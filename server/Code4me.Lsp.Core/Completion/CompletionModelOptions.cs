using Code4me.Lsp.Core.Completion.Remote;

namespace Code4me.Lsp.Core.Completion;

/// <summary>One configured model (<c>Code4me:Completion:Models:N:…</c>).</summary>
public sealed class CompletionModelOptions
{
    /// <summary>Unique name, recorded with each generation.</summary>
    public string Name { get; set; } = "ngram";

    /// <summary>Backend.</summary>
    public CompletionModelKind Kind { get; set; } = CompletionModelKind.Offline;

    /// <summary>Base URL of an OpenAI-compatible server, e.g. <c>http://127.0.0.1:8080</c>; <c>/v1/completions</c> is appended unless the URL already ends with it.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The <c>model</c> field sent to the server.</summary>
    public string? ModelId { get; set; }

    /// <summary>How prefix and suffix are sent.</summary>
    public FimTemplateKind Template { get; set; } = FimTemplateKind.SuffixField;

    /// <summary>Template for <see cref="FimTemplateKind.Custom"/>.</summary>
    public string? CustomTemplate { get; set; }

    /// <summary>Name of the environment variable holding the API key (sent as <c>Authorization: Bearer</c>); never the key itself.</summary>
    public string? ApiKeyEnvironmentVariable { get; set; }

    /// <summary>Per-request timeout (all attempts included).</summary>
    public int TimeoutMs { get; set; } = 5000;

    /// <summary>Maximum tokens to generate.</summary>
    public int MaxTokens { get; set; } = 64;

    /// <summary>Sampling temperature.</summary>
    public double Temperature { get; set; } = 0.2;

    /// <summary>Stop sequences sent to the model and applied again in post-processing.</summary>
    public List<string> StopSequences { get; set; } = [];

    /// <summary>Request <c>stream: true</c> and read server-sent events.</summary>
    public bool Stream { get; set; }

    /// <summary>Ask for <c>logprobs</c> (top-1) so confidence is real.</summary>
    public bool RequestLogprobs { get; set; } = true;
}
