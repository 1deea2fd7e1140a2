using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Hosting;

/// <summary>Validates <see cref="LimitsOptions"/> with messages that name the setting.</summary>
internal sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        List<string> failures = [];
        if (options.MaxMessageBytes is < 4096 or > int.MaxValue)
        {
            failures.Add($"{LimitsOptions.Section}:MaxMessageBytes must be between 4096 and {int.MaxValue} bytes; it is {options.MaxMessageBytes}.");
        }

        if (options.MaxDocumentChars < 1)
        {
            failures.Add($"{LimitsOptions.Section}:MaxDocumentChars must be at least 1; it is {options.MaxDocumentChars}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
