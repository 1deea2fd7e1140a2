using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Chat;

/// <summary>Validates <see cref="ChatOptions"/>; messages name the setting.</summary>
public sealed class ChatOptionsValidator : IValidateOptions<ChatOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Endpoint) && !Uri.TryCreate(options.Endpoint, UriKind.Absolute, out _))
        {
            failures.Add($"{ChatOptions.SectionName}:Endpoint must be an absolute URL such as http://127.0.0.1:8080/v1.");
        }

        if (options.Temperature is < 0 or > 2)
        {
            failures.Add($"{ChatOptions.SectionName}:Temperature must be between 0 and 2.");
        }

        if (options.MaxTokens <= 0)
        {
            failures.Add($"{ChatOptions.SectionName}:MaxTokens must be positive.");
        }

        if (options.ContextWindowTokens <= options.MaxTokens)
        {
            failures.Add($"{ChatOptions.SectionName}:ContextWindowTokens must be larger than MaxTokens.");
        }

        if (options.SummaryMaxTokens <= 0)
        {
            failures.Add($"{ChatOptions.SectionName}:SummaryMaxTokens must be positive.");
        }

        if (options.CurrentFileCharBudget < 0 || options.OtherFilesCharBudget < 0)
        {
            failures.Add($"{ChatOptions.SectionName}:CurrentFileCharBudget and OtherFilesCharBudget must not be negative.");
        }

        if (options.TimeoutSeconds <= 0)
        {
            failures.Add($"{ChatOptions.SectionName}:TimeoutSeconds must be positive.");
        }

        if (options.PricePer1kPromptTokens < 0 || options.PricePer1kCompletionTokens < 0)
        {
            failures.Add($"{ChatOptions.SectionName}:PricePer1kPromptTokens and PricePer1kCompletionTokens must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
