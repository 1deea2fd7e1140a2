using System.Globalization;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Completion;

/// <summary>Validates <see cref="CompletionOptions"/> (the offline model's probabilities); messages name the setting.</summary>
public sealed class CompletionOptionsValidator : IValidateOptions<CompletionOptions>
{
    public ValidateOptionsResult Validate(string? name, CompletionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var offline = options.Offline;
        if (offline.MinConfidence is < 0 or >= 1 || double.IsNaN(offline.MinConfidence))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{CompletionOptions.SectionName}:Offline:MinConfidence must be at least 0 and below 1; it is {offline.MinConfidence}."));
        }

        if (offline.MinTokenProbability is < 0 or >= 1 || double.IsNaN(offline.MinTokenProbability))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{CompletionOptions.SectionName}:Offline:MinTokenProbability must be at least 0 and below 1; it is {offline.MinTokenProbability}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
