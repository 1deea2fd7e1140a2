using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Privacy;

/// <summary>Validates <see cref="SecretOptions"/>: every pattern is a usable glob.</summary>
public sealed class SecretOptionsValidator : IValidateOptions<SecretOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var bad = options.EffectiveFilePatterns.Where(p => string.IsNullOrWhiteSpace(p) || p.Length > 256).ToList();
        return bad.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{SecretOptions.Section}:FilePatterns must be non-empty globs of at most 256 characters; {bad.Count} are not.");
    }
}
