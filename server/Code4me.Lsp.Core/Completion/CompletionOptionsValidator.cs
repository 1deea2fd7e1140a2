using System.Globalization;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// Validates <see cref="CompletionOptions"/> as a whole (ranges and the rules between settings), with messages that
/// name the setting, its value and what it may be. A deadline of 0 or a debounce whose minimum exceeds its maximum
/// used to be accepted, and every completion then came back empty.
/// </summary>
public sealed class CompletionOptionsValidator : IValidateOptions<CompletionOptions>
{
    /// <summary>The most retries <see cref="CompletionOptions.RemoteRetries"/> may ask for.</summary>
    public const int MaxRemoteRetries = 5;

    private const string S = CompletionOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, CompletionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Range(string key, long value, long min, long max, string unit = "")
        {
            if (value < min || value > max)
            {
                failures.Add($"{key} must be between {min} and {max}{unit}; it is {value}.");
            }
        }

        Range($"{S}:DeadlineMs", options.DeadlineMs, 1, 600_000, " ms");
        Range($"{S}:DebounceMinMs", options.DebounceMinMs, 0, 600_000, " ms");
        Range($"{S}:DebounceMaxMs", options.DebounceMaxMs, 0, 600_000, " ms");
        if (options.DebounceMinMs > options.DebounceMaxMs)
        {
            failures.Add($"{S}:DebounceMinMs ({options.DebounceMinMs}) must not exceed {S}:DebounceMaxMs ({options.DebounceMaxMs}).");
        }

        Range($"{S}:BlankLinePauseMs", options.BlankLinePauseMs, 0, 600_000, " ms");
        Range($"{S}:PrefixCharBudget", options.PrefixCharBudget, 0, 1_000_000);
        Range($"{S}:SuffixCharBudget", options.SuffixCharBudget, 0, 1_000_000);
        Range($"{S}:OtherDocumentsCharBudget", options.OtherDocumentsCharBudget, 0, 1_000_000);
        Range($"{S}:RemoteRetries", options.RemoteRetries, 0, MaxRemoteRetries);

        var offline = options.Offline;
        Range($"{S}:Offline:Order", offline.Order, 1, 10);
        if (offline.Discount is <= 0 or >= 1)
        {
            failures.Add($"{S}:Offline:Discount must be above 0 and below 1; it is {offline.Discount}.");
        }

        Range($"{S}:Offline:MaxEntries", offline.MaxEntries, 1_000, 100_000_000);
        Range($"{S}:Offline:MaxPrefixChars", offline.MaxPrefixChars, 1, 1_000_000);
        if (offline.MinConfidence is < 0 or >= 1 || double.IsNaN(offline.MinConfidence))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{S}:Offline:MinConfidence must be at least 0 and below 1; it is {offline.MinConfidence}."));
        }

        if (offline.MinTokenProbability is < 0 or >= 1 || double.IsNaN(offline.MinTokenProbability))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{S}:Offline:MinTokenProbability must be at least 0 and below 1; it is {offline.MinTokenProbability}."));
        }

        Range($"{S}:Offline:MaxTokens", offline.MaxTokens, 1, 1_024);
        Range($"{S}:Offline:MaxLines", offline.MaxLines, 1, 100);
        Range($"{S}:Offline:MaxIndexedFiles", offline.MaxIndexedFiles, 0, 1_000_000);
        Range($"{S}:Offline:MaxFileBytes", offline.MaxFileBytes, 1, 1L << 30);
        Range($"{S}:Offline:MaxIndexedBytes", offline.MaxIndexedBytes, 0, 1L << 40);

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Models.Count; i++)
        {
            var model = options.Models[i];
            var key = $"{S}:Models:{i}";
            if (string.IsNullOrWhiteSpace(model.Name))
            {
                failures.Add($"{key}:Name must be set (it names the model in telemetry).");
            }
            else if (!names.Add(model.Name))
            {
                failures.Add($"{key}:Name '{model.Name}' is used by another model; each model needs its own name.");
            }

            if (model.Kind == CompletionModelKind.OpenAi)
            {
                if (!Uri.TryCreate(model.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
                {
                    failures.Add($"{key}:Endpoint must be an http:// or https:// URL of an OpenAI-compatible server; it is '{model.Endpoint}'.");
                }

                if (model.Template == Remote.FimTemplateKind.Custom && string.IsNullOrEmpty(model.CustomTemplate))
                {
                    failures.Add($"{key}:CustomTemplate must be set when {key}:Template is Custom.");
                }
            }

            Range($"{key}:TimeoutMs", model.TimeoutMs, 1, 600_000, " ms");
            Range($"{key}:MaxTokens", model.MaxTokens, 1, 32_768);
            if (model.Temperature is < 0 or > 2)
            {
                failures.Add($"{key}:Temperature must be between 0 and 2; it is {model.Temperature}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
