namespace Code4me.Lsp.Core.Completion.Remote;

/// <summary>How prefix and suffix reach a remote model.</summary>
public enum FimTemplateKind
{
    /// <summary>Send <c>prompt</c> = prefix and the <c>suffix</c> field (llama.cpp, vLLM, Ollama build the FIM prompt).</summary>
    SuffixField,

    /// <summary>No suffix at all: <c>prompt</c> = prefix (plain left-to-right completion).</summary>
    PrefixOnly,

    /// <summary><c>&lt;fim_prefix&gt;P&lt;fim_suffix&gt;S&lt;fim_middle&gt;</c> (StarCoder, StarCoder2, SantaCoder).</summary>
    StarCoder,

    /// <summary><c>&lt;｜fim▁begin｜&gt;P&lt;｜fim▁hole｜&gt;S&lt;｜fim▁end｜&gt;</c> (DeepSeek-Coder).</summary>
    DeepSeekCoder,

    /// <summary><c>&lt;PRE&gt; P &lt;SUF&gt;S &lt;MID&gt;</c> (CodeLlama).</summary>
    CodeLlama,

    /// <summary><c>&lt;|fim_prefix|&gt;P&lt;|fim_suffix|&gt;S&lt;|fim_middle|&gt;</c> (Qwen2.5-Coder).</summary>
    Qwen25Coder,

    /// <summary><c>[SUFFIX]S[PREFIX]P</c> (Codestral / Mistral FIM).</summary>
    Codestral,

    /// <summary><see cref="CompletionModelOptions.CustomTemplate"/> with <c>{prefix}</c>, <c>{suffix}</c> (and optional <c>{context}</c>).</summary>
    Custom,
}
