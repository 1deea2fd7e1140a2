using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Hosting;

/// <summary>Validates <see cref="LoggingOptions"/> with messages that name the setting.</summary>
internal sealed class LoggingOptionsValidator : IValidateOptions<LoggingOptions>
{
    public ValidateOptionsResult Validate(string? name, LoggingOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Level))
        {
            failures.Add($"{LoggingOptions.Section}:Level must be one of {string.Join(", ", Enum.GetNames<LogLevel>())}.");
        }

        if (!Enum.IsDefined(options.ClientLevel))
        {
            failures.Add($"{LoggingOptions.Section}:ClientLevel must be one of {string.Join(", ", Enum.GetNames<LogLevel>())}.");
        }

        if (options.File is { Length: > 0 } file && Path.GetDirectoryName(Path.GetFullPath(file)) is { } directory && !Directory.Exists(directory))
        {
            failures.Add($"{LoggingOptions.Section}:File names a folder that does not exist: {directory}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
