namespace Code4me.Lsp.Core.Chat;

/// <summary>Chat settings, bound from the configuration section <c>Code4me:Chat</c>.</summary>
public sealed class ChatOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Code4me:Chat";

    /// <summary>Base URL of an OpenAI-compatible server, including <c>/v1</c> (OpenAI, vLLM, llama.cpp, Ollama, LM Studio). None: chat is off.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The model id sent to the provider.</summary>
    public string? Model { get; set; }

    /// <summary>Name of the environment variable that holds the API key (the key itself is never configured, logged or stored).</summary>
    public string? ApiKeyEnvironmentVariable { get; set; }

    public float? Temperature { get; set; }

    /// <summary>Most tokens of one reply; also reserved out of the context window.</summary>
    public int MaxTokens { get; set; } = 1024;

    public string SystemPrompt { get; set; } =
        "You are Code4me, a programming assistant inside the user's editor. Answer concisely; use the code context when it is relevant.";

    /// <summary>The context window of new chats (a chat keeps the one it was started with); older turns are dropped or summarised when a conversation outgrows it.</summary>
    public int ContextWindowTokens { get; set; } = 8192;

    /// <summary>What happens to older turns that do not fit the context window.</summary>
    public ChatContextStrategy ContextStrategy { get; set; } = ChatContextStrategy.Truncate;

    /// <summary>With <see cref="ChatContextStrategy.Summarize"/>: the most tokens of the summary, reserved out of the window.</summary>
    public int SummaryMaxTokens { get; set; } = 512;

    /// <summary>Characters of the current file put in the prompt.</summary>
    public int CurrentFileCharBudget { get; set; } = 8000;

    /// <summary>Characters of other open files put in the prompt, in total.</summary>
    public int OtherFilesCharBudget { get; set; } = 4000;

    /// <summary>A provider call that takes longer fails with a timeout (the partial reply is kept).</summary>
    public int TimeoutSeconds { get; set; } = 120;

    /// <summary>Optional price of 1000 prompt tokens; with <see cref="PricePer1kCompletionTokens"/> gives each reply's cost.</summary>
    public decimal? PricePer1kPromptTokens { get; set; }

    public decimal? PricePer1kCompletionTokens { get; set; }

    /// <summary>
    /// Send the user's own messages to the provider as typed. Off (the default): they are redacted like the file context
    /// (<see cref="Privacy.SecretRedactor"/>), so a key pasted into a question never leaves the machine.
    /// </summary>
    public bool SendUnredactedMessages { get; set; }

    /// <summary>A copy of these settings with another model (a chat keeps the model it was started with).</summary>
    public ChatOptions WithModel(string model)
    {
        var copy = (ChatOptions)MemberwiseClone();
        copy.Model = model;
        return copy;
    }

    /// <summary>True when an endpoint and a model are set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Model);
}
